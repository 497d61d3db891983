package market

import (
	"testing"

	"github.com/xiezuo/xiezuo"
)

func goodSupplier() Supplier {
	return Supplier{ID: supplierID, Name: "绿春县正华农产品加工厂", USCC: usccA, CountyCode: lvchun,
		FarmerLink: "收购大兴镇建档立卡户梯田红米，带动120户", Contact: "李华", Phone: "0873-4221234", Status: SupplierAdmitted}
}

func TestSupplierValidate(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		mod   func(*Supplier)
		field string
		want  []string
	}{
		{"valid", nil, "", nil},
		{"lower-case USCC with spaces is normalised", func(s *Supplier) { s.USCC = " 91110000802100433b " }, "", nil},
		{"mobile phone", func(s *Supplier) { s.Phone = "13800138000" }, "", nil},
		{"no name", func(s *Supplier) { s.Name = "  " }, "name", []string{"供应商名称"}},
		{"no USCC", func(s *Supplier) { s.USCC = "" }, "uscc", []string{"统一社会信用代码", "不能为空"}},
		{"bad USCC check", func(s *Supplier) { s.USCC = "91110000802100433C" }, "uscc", []string{"统一社会信用代码", "校验位"}},
		{"county missing", func(s *Supplier) { s.CountyCode = "" }, "county_code", []string{"所在县"}},
		{"township is not a county", func(s *Supplier) { s.CountyCode = daxing }, "county_code", []string{"所在县", "县级"}},
		{"short code", func(s *Supplier) { s.CountyCode = "532531" }, "county_code", []string{"所在县", "12位"}},
		{"no 联农带农", func(s *Supplier) { s.FarmerLink = "" }, "farmer_link", []string{"联农带农"}},
		{"no contact", func(s *Supplier) { s.Contact = "" }, "contact", []string{"联系人"}},
		{"no phone", func(s *Supplier) { s.Phone = "" }, "phone", []string{"联系电话"}},
		{"bad phone", func(s *Supplier) { s.Phone = "电话123" }, "phone", []string{"联系电话"}},
		{"bad status", func(s *Supplier) { s.Status = "open" }, "status", []string{"供应商状态"}},
	}
	for _, c := range cases {
		s := goodSupplier()
		if c.mod != nil {
			c.mod(&s)
		}
		err := s.Validate()
		code := ""
		if c.field != "" {
			code = xiezuo.EINVALID
		}
		checkErr(t, c.name, err, code, c.field, c.want...)
	}
	s := goodSupplier()
	s.Status, s.USCC = "", "91110000802100433b"
	if err := s.Validate(); err != nil || s.Status != SupplierApplied || s.USCC != usccA {
		t.Errorf("a new application: %v, status %q, USCC %q", err, s.Status, s.USCC)
	}
}

func TestSupplierTransition(t *testing.T) {
	t.Parallel()
	steps := []struct {
		user   string
		from   SupplierStatus
		a      SupplierAction
		reason string
		to     SupplierStatus
		code   string
	}{
		{"county", SupplierApplied, SupplierRecommend, "", SupplierRecommended, ""},
		{"county", "", SupplierRecommend, "", SupplierRecommended, ""},
		{"other-county", SupplierApplied, SupplierRecommend, "", "", xiezuo.EFORBIDDEN},
		{"admin", SupplierApplied, SupplierRecommend, "", "", xiezuo.EFORBIDDEN},
		{"supplier", SupplierApplied, SupplierRecommend, "", "", xiezuo.EFORBIDDEN},
		{"county", SupplierRecommended, SupplierRecommend, "", "", xiezuo.ECONFLICT},
		{"reviewer", SupplierRecommended, SupplierAdmit, "", SupplierAdmitted, ""},
		{"admin", SupplierApplied, SupplierAdmit, "", "", xiezuo.ECONFLICT},
		{"county", SupplierRecommended, SupplierAdmit, "", "", xiezuo.EFORBIDDEN},
		{"supervisor", SupplierRecommended, SupplierAdmit, "", "", xiezuo.EFORBIDDEN},
		{"admin", SupplierAdmitted, SupplierSuspend, "", "", xiezuo.EINVALID},
		{"admin", SupplierAdmitted, SupplierSuspend, "以次充好", SupplierSuspended, ""},
		{"county", SupplierAdmitted, SupplierSuspend, "以次充好", "", xiezuo.EFORBIDDEN},
		{"admin", SupplierRecommended, SupplierSuspend, "以次充好", "", xiezuo.ECONFLICT},
		{"admin", SupplierSuspended, SupplierReadmit, "", SupplierAdmitted, ""},
		{"admin", SupplierAdmitted, SupplierReadmit, "", "", xiezuo.ECONFLICT},
		{"anon", SupplierSuspended, SupplierReadmit, "", "", xiezuo.EFORBIDDEN},
		{"admin", SupplierAdmitted, "delete", "", "", xiezuo.EINVALID},
	}
	for _, s := range steps {
		sup := goodSupplier()
		sup.Status = s.from
		got, err := SupplierTransition(users[s.user], &sup, s.a, s.reason)
		if got != s.to || xiezuo.ErrorCode(err) != s.code {
			t.Errorf("%s %s on %q = %q, %v; want %q, %q", s.user, s.a, s.from, got, err, s.to, s.code)
		}
	}
	sup := goodSupplier()
	sup.Status = SupplierRecommended
	_, err := SupplierTransition(users["admin"], &sup, SupplierSuspend, "x")
	checkErr(t, "conflict names the supplier", err, xiezuo.ECONFLICT, "", "绿春县正华农产品加工厂", "县级推荐", "暂停")
	sup = goodSupplier()
	_, err = SupplierTransition(users["admin"], &sup, SupplierSuspend, "")
	checkErr(t, "suspension needs a reason", err, xiezuo.EINVALID, "reason", "暂停原因")
}

func TestSupplierAdmittedAndEdit(t *testing.T) {
	t.Parallel()
	for st, want := range map[SupplierStatus]string{SupplierAdmitted: "", SupplierSuspended: "已暂停", SupplierApplied: "尚未准入", SupplierRecommended: "尚未准入"} {
		s := goodSupplier()
		s.Status = st
		err := s.Admitted()
		if want == "" {
			if err != nil {
				t.Errorf("%s: %v", st, err)
			}
			continue
		}
		checkErr(t, string(st), err, xiezuo.ECONFLICT, "", want, s.Name)
	}
	s := goodSupplier()
	if got := allowed(func(u *xiezuo.User) bool { return CanEditSupplier(u, &s) }); got != "admin reviewer supplier" {
		t.Errorf("CanEditSupplier: %q", got)
	}
	for _, st := range SupplierStatuses {
		if st.Label() == string(st) || !st.Valid() {
			t.Errorf("status %s: label or validity", st)
		}
	}
}
