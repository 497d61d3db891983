package market

import "github.com/xiezuo/xiezuo"

// Who may file a supplier's application and who sees which part of the
// catalogue. The store enforces these rules (and turns CatalogueScopeOf
// into SQL); the web only asks them.

// CanRegisterSupplier reports whether u may file the application of a
// supplier registered in county: the office, or the county user of that
// county (a supplier has no account before its organisation exists).
func CanRegisterSupplier(u *xiezuo.User, county string) bool {
	return u.IsOffice() || isCountyOf(u, county)
}

// CatalogueScope is the part of the catalogue a user sees. Every signed-in
// user sees the public catalogue: admitted suppliers and their listed
// products. All widens it to everything; CountyCode to every supplier and
// product of that county; SupplierID to that supplier and all its
// products (drafts, delisted and suspended ones too).
type CatalogueScope struct {
	SignedIn   bool // false: nothing at all
	All        bool
	CountyCode string
	SupplierID int64
}

// CatalogueScopeOf is u's scope: the office and 监管 see everything (监管
// checks prices and origins); a county user its county's suppliers and
// products; a supplier's users their own; everyone else signed in (buyers,
// units, viewers) the public catalogue only.
func CatalogueScopeOf(u *xiezuo.User) CatalogueScope {
	switch {
	case u == nil:
		return CatalogueScope{}
	case CanSupervise(u):
		return CatalogueScope{SignedIn: true, All: true}
	case u.Role == xiezuo.RoleCounty && u.CountyCode != "":
		return CatalogueScope{SignedIn: true, CountyCode: u.CountyCode}
	case u.Role == RoleSupplier && u.OrgID != 0:
		return CatalogueScope{SignedIn: true, SupplierID: u.OrgID}
	}
	return CatalogueScope{SignedIn: true}
}

// Public reports whether a supplier of status st is in the public
// catalogue: admitted ones only (an applied, recommended or suspended
// supplier is seen by its county, itself and the office).
func (st SupplierStatus) Public() bool { return st == SupplierAdmitted }

// Public reports whether a product of status st, of a supplier of status
// sst, is in the public catalogue: listed, by an admitted supplier. (A
// listed product may still not be sellable: see Sellable.)
func (st ProductStatus) Public(sst SupplierStatus) bool {
	return st == ProductListed && sst.Public()
}

// covers reports whether scope c sees everything of a supplier supplierID
// in county.
func (c CatalogueScope) covers(supplierID int64, county string) bool {
	return c.SignedIn && (c.All || (c.CountyCode != "" && c.CountyCode == county) || (c.SupplierID != 0 && c.SupplierID == supplierID))
}

// CanViewSupplier reports whether u may see supplier s (see
// CatalogueScopeOf).
func CanViewSupplier(u *xiezuo.User, s *Supplier) bool {
	c := CatalogueScopeOf(u)
	return c.SignedIn && (s.Status.Public() || c.covers(s.ID, s.CountyCode))
}

// CanViewProduct reports whether u may see product p of supplier s (see
// CatalogueScopeOf).
func CanViewProduct(u *xiezuo.User, p *Product, s *Supplier) bool {
	c := CatalogueScopeOf(u)
	return c.SignedIn && (p.Status.Public(s.Status) || c.covers(s.ID, s.CountyCode))
}
