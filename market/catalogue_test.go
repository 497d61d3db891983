package market

import (
	"testing"

	"github.com/xiezuo/xiezuo"
)

func TestCanRegisterSupplier(t *testing.T) {
	t.Parallel()
	for county, want := range map[string]string{
		lvchun:  "admin reviewer county",
		jinping: "admin reviewer other-county",
		gande:   "admin reviewer",
	} {
		if got := allowed(func(u *xiezuo.User) bool { return CanRegisterSupplier(u, county) }); got != want {
			t.Errorf("CanRegisterSupplier(%s): %q, want %q", county, got, want)
		}
	}
}

func TestCatalogueScope(t *testing.T) {
	t.Parallel()
	want := map[string]CatalogueScope{
		"admin":          {SignedIn: true, All: true},
		"reviewer":       {SignedIn: true, All: true},
		"supervisor":     {SignedIn: true, All: true},
		"county":         {SignedIn: true, CountyCode: lvchun},
		"other-county":   {SignedIn: true, CountyCode: jinping},
		"supplier":       {SignedIn: true, SupplierID: supplierID},
		"other-supplier": {SignedIn: true, SupplierID: otherSupplierID},
		"manager":        {SignedIn: true},
		"purchaser":      {SignedIn: true},
		"unit":           {SignedIn: true},
		"viewer":         {SignedIn: true},
		"anon":           {},
	}
	for name, w := range want {
		if got := CatalogueScopeOf(users[name]); got != w {
			t.Errorf("%s: %+v, want %+v", name, got, w)
		}
	}
}

// TestCatalogueVisibility: who sees a supplier of 绿春县 and its product
// in each status.
func TestCatalogueVisibility(t *testing.T) {
	t.Parallel()
	const (
		everyone = "admin reviewer county other-county supplier other-supplier manager purchaser other-buyer other-manager supervisor unit viewer"
		scope    = "admin reviewer county supplier supervisor"
	)
	for _, c := range []struct {
		sst  SupplierStatus
		pst  ProductStatus
		sup  string // who sees the supplier
		prod string // who sees the product
	}{
		{SupplierApplied, ProductDraft, scope, scope},
		{SupplierRecommended, ProductDraft, scope, scope},
		{SupplierAdmitted, ProductDraft, everyone, scope},
		{SupplierAdmitted, ProductListed, everyone, everyone},
		{SupplierAdmitted, ProductDelisted, everyone, scope},
		{SupplierAdmitted, ProductSuspended, everyone, scope},
		{SupplierSuspended, ProductListed, scope, scope},
		{SupplierRecommended, ProductListed, scope, scope},
	} {
		s := goodSupplier()
		s.Status = c.sst
		p := goodProduct()
		p.Status = c.pst
		if got := allowed(func(u *xiezuo.User) bool { return CanViewSupplier(u, &s) }); got != c.sup {
			t.Errorf("supplier %s: %q, want %q", c.sst, got, c.sup)
		}
		if got := allowed(func(u *xiezuo.User) bool { return CanViewProduct(u, &p, &s) }); got != c.prod {
			t.Errorf("product %s of supplier %s: %q, want %q", c.pst, c.sst, got, c.prod)
		}
	}
}
