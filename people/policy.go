package people

import "github.com/xiezuo/xiezuo"

// The rules for personal data, written once. The store enforces them; the
// web asks them to show or hide buttons.
//
//   - The registers are seen by the office, and by unit and county users
//     for the entries of their own unit (county users also for the entries
//     of their county). Viewers, 监管 and the market's accounts never see
//     them; nor does the public site or the IATI export.
//   - The full ID number is shown to the office admin only; everyone else
//     sees it masked (5325**********1234), in pages, forms and exports.
//   - Exporting a register (a file of names) is the office's.
//   - Erasing a person's data on request is the office's.
//   - Teams (援派团队) are the registry: the office admin keeps them, every
//     ledger user reads them (their members are the posted people, already
//     listed under 援派干部人才).

// CanSeeRegister reports whether u may open the registers at all.
func CanSeeRegister(u *xiezuo.User) bool {
	return u != nil && (u.IsOffice() || ((u.Role == xiezuo.RoleUnit || u.Role == xiezuo.RoleCounty) && u.OrgID != 0))
}

// CanView reports whether u may see entry b (kept by unit b.UnitID, in
// county b.CountyCode).
func CanView(u *xiezuo.User, unitID int64, county string) bool {
	switch {
	case !CanSeeRegister(u):
		return false
	case u.IsOffice():
		return true
	case unitID == u.OrgID:
		return true
	}
	return u.Role == xiezuo.RoleCounty && county != "" && county == u.CountyCode
}

// CanSave reports whether u may create an entry kept by unitID in county
// (or change one it may see): the office for any unit; unit and county
// users for their own unit, a county user only in its county.
func CanSave(u *xiezuo.User, unitID int64, county string) bool {
	switch {
	case !CanSeeRegister(u):
		return false
	case u.IsOffice():
		return true
	case u.Role == xiezuo.RoleCounty && county != "" && county != u.CountyCode:
		return false
	}
	return unitID == u.OrgID
}

// CanSeeFullID reports whether u sees ID numbers in full: the office admin.
func CanSeeFullID(u *xiezuo.User) bool {
	return u != nil && u.Role == xiezuo.RoleAdmin
}

// CanExport reports whether u may export a register: the office.
func CanExport(u *xiezuo.User) bool { return u.IsOffice() }

// CanErase reports whether u may erase a person's data on request: the office.
func CanErase(u *xiezuo.User) bool { return u.IsOffice() }

// CanManageTeams reports whether u keeps the posted teams: the office admin.
func CanManageTeams(u *xiezuo.User) bool { return u != nil && u.Role == xiezuo.RoleAdmin }

// CanSeeTeams reports whether u may read the posted teams: every user of
// the ledger (not the market's accounts).
func CanSeeTeams(u *xiezuo.User) bool { return u != nil && !u.Role.MarketOnly() }

// Redact returns b as u may see it: the ID number masked and the birth
// date cut to its year unless u may see the ID in full (FullID tells
// which).
func Redact(u *xiezuo.User, b *Beneficiary) *Beneficiary {
	if CanSeeFullID(u) {
		b.FullID = true
		return b
	}
	b.IDNumber, b.BirthDate, b.FullID = MaskID(b.IDNumber), MaskBirth(b.BirthDate), false
	return b
}
