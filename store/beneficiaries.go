package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/ledger"
	"github.com/xiezuo/xiezuo/people"
)

// The registers of the people helped (package people). Every read of a
// person's record, a list of names and an export is written to the audit
// log; the log keeps no personal field (people.AuditView), so an erasure
// on request leaves nothing of the person behind but the anonymous row.

const beneficiaryEntity = "beneficiary"

var beneficiaryCols = []string{"kind", "unit_id", "name", "gender", "id_number", "birth_date", "phone", "county_code", "village_code",
	"batch_id", "activity_id", "project_id", "contribution_id", "stage", "hospital", "school", "grade", "donor_org_id", "amount_per_term_fen",
	"course", "placed", "employer", "destination", "months_employed", "registered", "household_status", "help", "note"}

func beneficiaryArgs(b *people.Beneficiary) []any {
	return []any{string(b.Kind), b.UnitID, b.Name, b.Gender, b.IDNumber, b.BirthDate, b.Phone, nullStr(b.CountyCode), nullStr(b.VillageCode),
		nullID(b.BatchID), nullID(b.ActivityID), nullID(b.ProjectID), nullID(b.ContributionID), b.Stage, b.Hospital, b.School, b.Grade,
		nullID(b.DonorOrgID), b.AmountPerTermFen, b.Course, boolInt(b.Placed), b.Employer, b.Destination, b.MonthsEmployed,
		boolInt(b.Registered), b.HouseholdStatus, b.Help, b.Note}
}

const beneficiarySelect = `SELECT x.id, x.kind, x.unit_id, un.name, x.created_by, x.created_at, x.updated_at, x.name, x.gender, x.id_number,
	x.birth_date, x.phone, COALESCE(x.county_code, ''), COALESCE(rc.name, ''), COALESCE(x.village_code, ''), COALESCE(rv.name, ''),
	COALESCE(x.batch_id, 0), COALESCE(bt.kind || ' ' || bt.label, ''), COALESCE(x.activity_id, 0), COALESCE(x.project_id, 0),
	COALESCE(x.contribution_id, 0), x.stage, x.hospital, x.school, x.grade, COALESCE(x.donor_org_id, 0), COALESCE(dn.name, ''),
	x.amount_per_term_fen, x.course, x.placed, x.employer, x.destination, x.months_employed, x.registered, x.household_status,
	x.help, x.note, COALESCE(x.erased_at, '')
	FROM beneficiaries x JOIN organisations un ON un.id = x.unit_id LEFT JOIN regions rc ON rc.code = x.county_code
	LEFT JOIN regions rv ON rv.code = x.village_code LEFT JOIN batches bt ON bt.id = x.batch_id
	LEFT JOIN organisations dn ON dn.id = x.donor_org_id`

func scanBeneficiary(s interface{ Scan(...any) error }) (*people.Beneficiary, error) {
	var b people.Beneficiary
	var placed, registered int
	err := s.Scan(&b.ID, &b.Kind, &b.UnitID, &b.UnitName, &b.CreatedBy, &b.CreatedAt, &b.UpdatedAt, &b.Name, &b.Gender, &b.IDNumber,
		&b.BirthDate, &b.Phone, &b.CountyCode, &b.CountyName, &b.VillageCode, &b.VillageName,
		&b.BatchID, &b.BatchName, &b.ActivityID, &b.ProjectID,
		&b.ContributionID, &b.Stage, &b.Hospital, &b.School, &b.Grade, &b.DonorOrgID, &b.DonorName,
		&b.AmountPerTermFen, &b.Course, &placed, &b.Employer, &b.Destination, &b.MonthsEmployed, &registered, &b.HouseholdStatus,
		&b.Help, &b.Note, &b.ErasedAt)
	b.Placed, b.Registered = placed == 1, registered == 1
	b.BatchName = strings.TrimSpace(b.BatchName)
	return &b, err
}

func registerNotFound(id int64) error {
	return xiezuo.Errorf(xiezuo.ENOTFOUND, "名册人员（编号%d）不存在", id)
}

// beneficiary reads one entry as stored (full ID number) if u may see it;
// an entry u may not see is not found.
func (d *DB) beneficiary(ctx context.Context, q queryer, u *xiezuo.User, id int64) (*people.Beneficiary, error) {
	if !people.CanSeeRegister(u) {
		return nil, xiezuo.Errorf(xiezuo.EFORBIDDEN, "当前账号不能查看人员名册")
	}
	b, err := scanBeneficiary(q.QueryRowContext(ctx, beneficiarySelect+` WHERE x.id = $1`, id))
	if err == sql.ErrNoRows || (err == nil && !people.CanView(u, b.UnitID, b.CountyCode)) {
		return nil, registerNotFound(id)
	}
	return b, err
}

// SaveBeneficiary creates (ID 0) or updates a register entry. Callers:
// people.CanSave — the office for any unit, unit and county users for
// their own unit (a county user in its county). A masked ID number
// (people.IsMasked) or birth date (people.IsMaskedBirth) keeps the stored
// one. Errors: EFORBIDDEN, ENOTFOUND,
// ECONFLICT (erased), EINVALID.
func (d *DB) SaveBeneficiary(ctx context.Context, u *xiezuo.User, b *people.Beneficiary) error {
	if !people.CanSeeRegister(u) {
		return xiezuo.Errorf(xiezuo.EFORBIDDEN, "当前账号不能登记人员名册")
	}
	if b.ID == 0 && (!u.IsOffice() || b.UnitID == 0) {
		b.UnitID = u.OrgID
	}
	return d.tx(ctx, func(tx *sql.Tx) error {
		var old *people.Beneficiary
		if b.ID != 0 {
			var err error
			if old, err = d.beneficiary(ctx, tx, u, b.ID); err != nil {
				return err
			}
			if old.Erased() {
				return xiezuo.Errorf(xiezuo.ECONFLICT, "此人的个人信息已应本人要求删除，不能修改")
			}
			if !people.CanSave(u, old.UnitID, old.CountyCode) {
				return xiezuo.Errorf(xiezuo.EFORBIDDEN, "只能修改本单位登记的人员")
			}
			if !u.IsOffice() {
				b.UnitID = old.UnitID
			}
		}
		p := xiezuo.Problems{}
		if people.IsMasked(b.IDNumber) {
			if old != nil && b.IDNumber == people.MaskID(old.IDNumber) {
				// The birth date goes with the number the user cannot see:
				// checked against it, a typed date would tell whether it
				// matches the hidden digits (one guess per request).
				b.IDNumber, b.BirthDate = old.IDNumber, old.BirthDate
			} else {
				p.Add("id_number", "请填写完整的身份证号码")
			}
		}
		if people.IsMaskedBirth(b.BirthDate) {
			if old != nil && b.BirthDate == people.MaskBirth(old.BirthDate) {
				b.BirthDate = old.BirthDate
			} else {
				p.Add("birth_date", "请填写完整的出生日期")
			}
		}
		if err := b.Validate(d.Today()); err != nil {
			for k, v := range xiezuo.ErrorFields(err) {
				p.Add(k, v)
			}
		}
		if b.BatchID != 0 && len(p) == 0 {
			var county string
			if err := tx.QueryRowContext(ctx, `SELECT county_code FROM batches WHERE id = $1`, b.BatchID).Scan(&county); err == nil {
				if b.CountyCode == "" {
					b.CountyCode = county
				} else if b.CountyCode != county {
					p.Add("county_code", "所填县与受益批次的县不同")
				}
			}
		}
		if !people.CanSave(u, b.UnitID, b.CountyCode) {
			if u.Role == xiezuo.RoleCounty {
				p.Add("county_code", "受援县用户只能登记本县的人员")
			} else {
				return xiezuo.Errorf(xiezuo.EFORBIDDEN, "只能为本单位登记人员")
			}
		}
		if err := checkOrgs(ctx, tx, p, "unit_id", "登记单位", b.UnitID); err != nil {
			return err
		}
		if b.DonorOrgID != 0 {
			if err := checkOrgs(ctx, tx, p, "donor_org_id", "结对资助单位", b.DonorOrgID); err != nil {
				return err
			}
		}
		regions := map[string]string{}
		if b.CountyCode != "" {
			regions["county_code"] = b.CountyCode
		}
		if b.VillageCode != "" {
			regions["village_code"] = b.VillageCode
		}
		if err := checkRegions(ctx, tx, p, regions); err != nil {
			return err
		}
		if err := d.checkLinks(ctx, tx, u, p, map[ledger.Kind]int64{ledger.KindBatch: b.BatchID, ledger.KindActivity: b.ActivityID,
			ledger.KindProject: b.ProjectID, ledger.KindContribution: b.ContributionID}); err != nil {
			return err
		}
		if err := p.Err(); err != nil {
			return err
		}
		now := d.now()
		args := beneficiaryArgs(b)
		if old == nil {
			cols := append([]string{"created_by", "created_at", "updated_at"}, beneficiaryCols...)
			q := fmt.Sprintf(`INSERT INTO beneficiaries (%s) VALUES (%s) RETURNING id`, strings.Join(cols, ", "), placeholders(1, len(cols)))
			if err := tx.QueryRowContext(ctx, q, append([]any{u.ID, now, now}, args...)...).Scan(&b.ID); err != nil {
				return err
			}
		} else {
			sets := make([]string, len(beneficiaryCols))
			for i, c := range beneficiaryCols {
				sets[i] = fmt.Sprintf("%s = $%d", c, i+1)
			}
			n := len(beneficiaryCols)
			q := fmt.Sprintf(`UPDATE beneficiaries SET %s, updated_at = $%d WHERE id = $%d`, strings.Join(sets, ", "), n+1, n+2)
			if _, err := tx.ExecContext(ctx, q, append(args, now, b.ID)...); err != nil {
				return err
			}
		}
		after := people.AuditView(b)
		if old == nil {
			after["fields"] = people.Changed(&people.Beneficiary{}, b)
			return d.audit(ctx, tx, u, "create", beneficiaryEntity, b.ID, nil, after)
		}
		after["fields"] = people.Changed(old, b)
		return d.audit(ctx, tx, u, "update", beneficiaryEntity, b.ID, people.AuditView(old), after)
	})
}

// Beneficiary returns one register entry as u may see it (people.Redact)
// and writes the view to the audit log. Callers: people.CanView. Errors:
// EFORBIDDEN, ENOTFOUND.
func (d *DB) Beneficiary(ctx context.Context, u *xiezuo.User, id int64) (*people.Beneficiary, error) {
	var b *people.Beneficiary
	err := d.tx(ctx, func(tx *sql.Tx) error {
		var err error
		if b, err = d.beneficiary(ctx, tx, u, id); err != nil {
			return err
		}
		return d.audit(ctx, tx, u, "view", beneficiaryEntity, id, nil, map[string]any{"full_id": people.CanSeeFullID(u)})
	})
	if err != nil {
		return nil, err
	}
	return people.Redact(u, b), nil
}

// BeneficiaryForEdit returns an entry for its form, as Beneficiary does
// (masked, audited as a view).
func (d *DB) BeneficiaryForEdit(ctx context.Context, u *xiezuo.User, id int64) (*people.Beneficiary, error) {
	return d.Beneficiary(ctx, u, id)
}

// BeneficiaryFilter selects register entries.
type BeneficiaryFilter struct {
	Kind    people.Kind
	County  string
	BatchID int64
	// Status: a patient's stage, a household's 建档立卡 status, a
	// trainee's "placed" or "unplaced".
	Status string
	Limit  int
	Offset int
}

func (f BeneficiaryFilter) where(u *xiezuo.User) *where {
	w := &where{}
	switch {
	case u.IsOffice():
	case u.Role == xiezuo.RoleCounty:
		w.add("(x.unit_id = ? OR x.county_code = ?)", u.OrgID, u.CountyCode)
	default:
		w.add("x.unit_id = ?", u.OrgID)
	}
	if f.Kind != "" {
		w.add("x.kind = ?", string(f.Kind))
	}
	if f.County != "" {
		w.add("x.county_code = ?", f.County)
	}
	if f.BatchID != 0 {
		w.add("x.batch_id = ?", f.BatchID)
	}
	switch {
	case f.Status == "":
	case f.Status == "placed" || f.Status == "unplaced":
		w.add("x.placed = ?", boolInt(f.Status == "placed"))
	case f.Kind == people.KindHousehold:
		w.add("x.household_status = ?", f.Status)
	default:
		w.add("x.stage = ?", f.Status)
	}
	return w
}

// BeneficiaryPage is one page of a register and how many entries match.
type BeneficiaryPage struct {
	Items []*people.Beneficiary
	Total int64 // entries matching, erased ones included
}

// ListBeneficiaries lists the register entries u may see (masked as
// Redact says), in entry order, and writes to the audit log that u saw
// these entries. Callers: people.CanSeeRegister. Errors: EFORBIDDEN.
func (d *DB) ListBeneficiaries(ctx context.Context, u *xiezuo.User, f BeneficiaryFilter) (*BeneficiaryPage, error) {
	return d.readRegister(ctx, u, f, "list")
}

// ExportBeneficiaries reads the entries of an export of a register and
// writes the export to the audit log (who, the filter, which entries).
// Callers: people.CanExport (the office). Errors: EFORBIDDEN.
func (d *DB) ExportBeneficiaries(ctx context.Context, u *xiezuo.User, f BeneficiaryFilter) ([]*people.Beneficiary, error) {
	if !people.CanExport(u) {
		return nil, xiezuo.Errorf(xiezuo.EFORBIDDEN, "只有协作办可以导出人员名册")
	}
	f.Limit, f.Offset = -1, 0
	pg, err := d.readRegister(ctx, u, f, "export")
	if err != nil {
		return nil, err
	}
	return pg.Items, nil
}

func (d *DB) readRegister(ctx context.Context, u *xiezuo.User, f BeneficiaryFilter, action string) (*BeneficiaryPage, error) {
	if !people.CanSeeRegister(u) {
		return nil, xiezuo.Errorf(xiezuo.EFORBIDDEN, "当前账号不能查看人员名册")
	}
	w := f.where(u)
	page := &BeneficiaryPage{}
	err := d.tx(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM beneficiaries x`+w.sql(), w.args...).Scan(&page.Total); err != nil {
			return err
		}
		q := beneficiarySelect + w.sql() + ` ORDER BY x.kind, x.id`
		if f.Limit >= 0 {
			limit := f.Limit
			if limit == 0 || limit > MaxLimit {
				limit = DefaultLimit
			}
			q += fmt.Sprintf(" LIMIT %d OFFSET %d", limit, max(f.Offset, 0))
		}
		rows, err := tx.QueryContext(ctx, q, w.args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		ids := []int64{}
		for rows.Next() {
			b, err := scanBeneficiary(rows)
			if err != nil {
				return err
			}
			page.Items = append(page.Items, people.Redact(u, b))
			ids = append(ids, b.ID)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		rows.Close()
		if len(ids) == 0 && action == "list" {
			return nil // nobody's data was shown
		}
		return d.audit(ctx, tx, u, action, "register", 0, nil, map[string]any{"kind": f.Kind, "county": f.County, "batch_id": f.BatchID,
			"status": f.Status, "offset": f.Offset, "ids": ids, "full_id": people.CanSeeFullID(u)})
	})
	if err != nil {
		return nil, err
	}
	return page, nil
}

// EraseBeneficiary erases a person's personal fields on their request:
// the row stays without them (erased_at, erased_by), so the batch's count
// and every total stay as they were, and the erasure is audited. Callers:
// people.CanErase (the office). Errors: EFORBIDDEN, ENOTFOUND, ECONFLICT
// (already erased).
func (d *DB) EraseBeneficiary(ctx context.Context, u *xiezuo.User, id int64) error {
	if !people.CanErase(u) {
		return xiezuo.Errorf(xiezuo.EFORBIDDEN, "只有协作办可以应本人要求删除个人信息")
	}
	return d.tx(ctx, func(tx *sql.Tx) error {
		old, err := d.beneficiary(ctx, tx, u, id)
		if err != nil {
			return err
		}
		if old.Erased() {
			return xiezuo.Errorf(xiezuo.ECONFLICT, "此人的个人信息已删除")
		}
		sets := make([]string, 0, len(people.PersonalFields))
		for _, c := range people.PersonalFields {
			if c == "village_code" {
				sets = append(sets, "village_code = NULL")
			} else {
				sets = append(sets, c+" = ''")
			}
		}
		now := d.now()
		if _, err := tx.ExecContext(ctx, `UPDATE beneficiaries SET `+strings.Join(sets, ", ")+`, erased_at = $1, erased_by = $2, updated_at = $1 WHERE id = $3`,
			now, u.ID, id); err != nil {
			return err
		}
		after := people.AuditView(old)
		after["erased"], after["on_request"], after["fields"] = true, true, people.PersonalFields
		return d.audit(ctx, tx, u, "erase", beneficiaryEntity, id, people.AuditView(old), after)
	})
}
