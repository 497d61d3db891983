package ledger

import "github.com/xiezuo/xiezuo/registry"

// OpenData is the approved ledger as published (IATI, open data):
// activities, projects, agreements and contributions, and the
// organisations they name. No drafts and no personal data: the store
// loads it from approved records only.
type OpenData struct {
	Office        registry.Organisation // the reporting organisation
	Activities    []*Activity
	Projects      []*Project
	Agreements    []*Agreement
	Contributions []*Contribution
	Orgs          map[int64]registry.Organisation
}
