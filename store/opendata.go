package store

import (
	"context"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/ledger"
	"github.com/xiezuo/xiezuo/registry"
)

// LoadOpenData reads every approved record (no drafts, no personal data).
// The whole approved ledger is held in memory: fine for an office's
// thousands of records, not meant for millions. Errors: EINTERNAL.
func (d *DB) LoadOpenData(ctx context.Context) (*ledger.OpenData, error) {
	public := &xiezuo.User{Role: xiezuo.RoleViewer}
	out := &ledger.OpenData{Orgs: map[int64]registry.Organisation{}}
	all := func(list func(f RecordFilter) (int, error)) error {
		for off := 0; ; off += 500 {
			n, err := list(RecordFilter{Status: ledger.StatusApproved, Limit: 500, Offset: off})
			if err != nil || n < 500 {
				return err
			}
		}
	}
	err := all(func(f RecordFilter) (int, error) {
		as, _, err := d.ListActivities(ctx, public, f)
		out.Activities = append(out.Activities, as...)
		return len(as), err
	})
	if err == nil {
		err = all(func(f RecordFilter) (int, error) {
			ps, err := d.ListProjects(ctx, public, f)
			out.Projects = append(out.Projects, ps...)
			return len(ps), err
		})
	}
	if err == nil {
		err = all(func(f RecordFilter) (int, error) {
			as, err := d.ListAgreements(ctx, public, f)
			out.Agreements = append(out.Agreements, as...)
			return len(as), err
		})
	}
	if err == nil {
		err = d.EachContribution(ctx, public, ledger.ContributionFilter{Status: ledger.StatusApproved}, func(c *ledger.Contribution) error {
			out.Contributions = append(out.Contributions, c)
			return nil
		})
	}
	if err != nil {
		return nil, err
	}
	orgs, err := d.FindOrgs(ctx, OrgFilter{Limit: 5000})
	if err != nil {
		return nil, err
	}
	for _, o := range orgs {
		out.Orgs[o.ID] = o
		if o.Kind == "协作办" && out.Office.ID == 0 {
			out.Office = o
		}
	}
	return out, nil
}
