package store

import (
	"context"
	"database/sql"
	"strconv"
	"strings"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/people"
	"github.com/xiezuo/xiezuo/registry"
)

// SaveTeam creates (ID 0) or updates a posted team and its named members
// (posted people). Callers: people.CanManageTeams (the office admin).
// Errors: EFORBIDDEN, EINVALID, ENOTFOUND.
func (d *DB) SaveTeam(ctx context.Context, u *xiezuo.User, t *people.Team) error {
	if !people.CanManageTeams(u) {
		return xiezuo.Errorf(xiezuo.EFORBIDDEN, "只有协作办管理员可以登记援派团队")
	}
	if err := t.Validate(); err != nil {
		return err
	}
	return d.tx(ctx, func(tx *sql.Tx) error {
		var before *people.Team
		if t.ID != 0 {
			var err error
			if before, err = d.team(ctx, tx, t.ID); err != nil {
				return err
			}
		}
		p := xiezuo.Problems{}
		if err := checkRegions(ctx, tx, p, map[string]string{"dest_code": t.DestCode}); err != nil {
			return err
		}
		if err := checkOrgs(ctx, tx, p, "org_id", "派出单位", t.OrgID); err != nil {
			return err
		}
		for _, id := range t.MemberIDs {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM people WHERE id = $1`, id).Scan(&n); err != nil {
				return err
			}
			if n == 0 {
				p.Add("member_ids", "成员（编号"+strconv.FormatInt(id, 10)+"）不在援派干部人才名录中")
			}
		}
		if err := p.Err(); err != nil {
			return err
		}
		args := []any{strings.TrimSpace(t.Name), t.Kind, t.OrgID, t.DestCode, t.TermFrom, nullStr(t.TermTo), t.OtherCount, strings.TrimSpace(t.Note)}
		if before == nil {
			if err := tx.QueryRowContext(ctx, `INSERT INTO teams (name, kind, org_id, dest_code, term_from, term_to, other_count, note)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`, args...).Scan(&t.ID); err != nil {
				return err
			}
		} else if _, err := tx.ExecContext(ctx, `UPDATE teams SET name = $1, kind = $2, org_id = $3, dest_code = $4, term_from = $5,
			term_to = $6, other_count = $7, note = $8 WHERE id = $9`, append(args, t.ID)...); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM team_members WHERE team_id = $1`, t.ID); err != nil {
			return err
		}
		for _, id := range t.MemberIDs {
			if _, err := tx.ExecContext(ctx, `INSERT INTO team_members (team_id, person_id) VALUES ($1, $2)`, t.ID, id); err != nil {
				return err
			}
		}
		after, err := d.team(ctx, tx, t.ID)
		if err != nil {
			return err
		}
		action := "create"
		if before != nil {
			action = "update"
		}
		var b any
		if before != nil {
			b = before
		}
		return d.audit(ctx, tx, u, action, "team", t.ID, b, after)
	})
}

const teamSelect = `SELECT t.id, t.name, t.kind, t.org_id, o.name, t.dest_code, r.name, t.term_from, COALESCE(t.term_to, ''), t.other_count, t.note
	FROM teams t JOIN organisations o ON o.id = t.org_id JOIN regions r ON r.code = t.dest_code`

func scanTeam(s interface{ Scan(...any) error }) (*people.Team, error) {
	var t people.Team
	err := s.Scan(&t.ID, &t.Name, &t.Kind, &t.OrgID, &t.OrgName, &t.DestCode, &t.DestName, &t.TermFrom, &t.TermTo, &t.OtherCount, &t.Note)
	return &t, err
}

func (d *DB) team(ctx context.Context, q queryer, id int64) (*people.Team, error) {
	t, err := scanTeam(q.QueryRowContext(ctx, teamSelect+` WHERE t.id = $1`, id))
	if err == sql.ErrNoRows {
		return nil, xiezuo.Errorf(xiezuo.ENOTFOUND, "援派团队（编号%d）不存在", id)
	} else if err != nil {
		return nil, err
	}
	return t, d.teamMembers(ctx, q, []*people.Team{t})
}

func (d *DB) teamMembers(ctx context.Context, q queryer, ts []*people.Team) error {
	for _, t := range ts {
		rows, err := q.QueryContext(ctx, `SELECT p.id, p.name, p.kind, p.org_id, o.name, p.dest_code, r.name, p.post, COALESCE(p.term_from, ''), COALESCE(p.term_to, ''), p.note
			FROM team_members m JOIN people p ON p.id = m.person_id JOIN organisations o ON o.id = p.org_id JOIN regions r ON r.code = p.dest_code
			WHERE m.team_id = $1 ORDER BY p.name, p.id`, t.ID)
		if err != nil {
			return err
		}
		t.Members, t.MemberIDs = nil, nil
		for rows.Next() {
			var p registry.Person
			if err := rows.Scan(&p.ID, &p.Name, &p.Kind, &p.OrgID, &p.OrgName, &p.DestCode, &p.DestName, &p.Post, &p.TermFrom, &p.TermTo, &p.Note); err != nil {
				rows.Close()
				return err
			}
			t.Members, t.MemberIDs = append(t.Members, p), append(t.MemberIDs, p.ID)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	return nil
}

// Team returns one posted team with its members. Callers:
// people.CanSeeTeams. Errors: EFORBIDDEN, ENOTFOUND.
func (d *DB) Team(ctx context.Context, u *xiezuo.User, id int64) (*people.Team, error) {
	if !people.CanSeeTeams(u) {
		return nil, xiezuo.Errorf(xiezuo.EFORBIDDEN, "当前账号不能查看援派团队")
	}
	t, err := d.team(ctx, d.db, id)
	if err != nil {
		return nil, mapDBError(err)
	}
	return t, nil
}

// teamWhere selects teams posted to f.County (its townships included)
// whose term overlaps f.From..f.To, as PeopleFilter does people.
func teamWhere(f PeopleFilter) *where {
	w := &where{}
	if len(f.County) == 12 {
		// A team posted to the county, or to its prefecture or province as a whole, is not the county's.
		w.add("t.dest_code LIKE ?", f.County[:6]+"%")
	}
	if f.To != "" {
		w.add("t.term_from <= ?", f.To)
	}
	if f.From != "" {
		w.add("(t.term_to IS NULL OR t.term_to >= ?)", f.From)
	}
	return w
}

// Teams lists the posted teams f selects (destination and term, as
// People), with their members. Callers: people.CanSeeTeams (the public
// aggregates read TalentHeadcount instead).
func (d *DB) Teams(ctx context.Context, f PeopleFilter) ([]*people.Team, error) {
	w := teamWhere(f)
	rows, err := d.db.QueryContext(ctx, teamSelect+w.sql()+` ORDER BY t.dest_code, t.term_from, t.name`, w.args...)
	if err != nil {
		return nil, xiezuo.Internal(err)
	}
	var out []*people.Team
	for rows.Next() {
		t, err := scanTeam(rows)
		if err != nil {
			rows.Close()
			return nil, xiezuo.Internal(err)
		}
		out = append(out, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, xiezuo.Internal(err)
	}
	if err := d.teamMembers(ctx, d.db, out); err != nil {
		return nil, xiezuo.Internal(err)
	}
	return out, nil
}

// TalentHeadcount counts the posted people of f once each: the posted
// people f selects and the named members of the teams f selects, a person
// in a team and also listed alone counted once, plus the teams' unnamed
// members. The dashboard's 援派干部人才 (人才交流) and the list it links to
// (/registry/people) read it.
func (d *DB) TalentHeadcount(ctx context.Context, f PeopleFilter) (int64, error) {
	pw, tw := f.where(), teamWhere(f)
	// The team's conditions are numbered after the people's.
	tsql := tw.sql()
	for i := len(tw.args); i >= 1; i-- {
		tsql = strings.ReplaceAll(tsql, "$"+strconv.Itoa(i), "$"+strconv.Itoa(i+len(pw.args)))
	}
	args := append(append([]any{}, pw.args...), tw.args...)
	var named, others int64
	err := d.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM (SELECT p.id FROM people p`+pw.sql()+`
		UNION SELECT m.person_id FROM team_members m JOIN teams t ON t.id = m.team_id`+tsql+`) ids`, args...).Scan(&named)
	if err != nil {
		return 0, xiezuo.Internal(err)
	}
	if err := d.db.QueryRowContext(ctx, `SELECT COALESCE(SUM(t.other_count), 0) FROM teams t`+tw.sql(), tw.args...).Scan(&others); err != nil {
		return 0, xiezuo.Internal(err)
	}
	return named + others, nil
}
