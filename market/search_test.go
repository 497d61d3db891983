package market

import (
	"slices"
	"testing"
)

func TestQueryWords(t *testing.T) {
	t.Parallel()
	for q, want := range map[string][]string{
		"红米":          {"红米"},
		" 梯田红米  绿春 ":  {"梯田红米", "绿春"},
		"绿春\u3000茶叶":  {"绿春", "茶叶"},
		"PuEr Tea 普洱": {"puer", "tea", "普洱"},
		"   ":         nil,
	} {
		if got := QueryWords(q); !slices.Equal(got, want) {
			t.Errorf("QueryWords(%q) = %q, want %q", q, got, want)
		}
	}
}

func TestScore(t *testing.T) {
	t.Parallel()
	rice := SearchDoc{Name: "梯田红米", Category: "粮油", Origin: "绿春县大兴镇阿迪村", Supplier: "绿春县正华农产品加工厂"}
	tea := SearchDoc{Name: "绿春茶", Category: "茶叶", Origin: "绿春县", Supplier: "绿鑫生态茶叶有限公司"}
	herb := SearchDoc{Name: "铁皮石斛", Category: "中药材", Origin: "金平县", Supplier: "金平ABC合作社"}
	cases := []struct {
		doc   SearchDoc
		query string
		want  int
	}{
		{rice, "红米", WeightName},                   // a two-character word inside the name
		{rice, "梯田", WeightName + NamePrefixBonus}, // the name starts with it
		{rice, "梯田红米", WeightName + NamePrefixBonus + NameExactBonus},
		{rice, "粮油", WeightCategory},
		{rice, "阿迪", WeightOrigin},
		{rice, "正华", WeightSupplier},
		{rice, "绿春", WeightOrigin + WeightSupplier},                 // origin and supplier both
		{rice, "红米 绿春", WeightName + WeightOrigin + WeightSupplier}, // every word scores
		{rice, "红米 金平", 0},                                          // one word in no field: no match
		{rice, "茶叶", 0},
		{tea, "茶叶", WeightCategory + WeightSupplier},
		{tea, "绿春", WeightName + NamePrefixBonus + WeightOrigin},
		{herb, "石斛", WeightName},
		{herb, "abc", WeightSupplier}, // ASCII case ignored
		{herb, "", 0},
	}
	for _, c := range cases {
		if got := Score(c.doc, c.query); got != c.want {
			t.Errorf("Score(%s, %q) = %d, want %d", c.doc.Name, c.query, got, c.want)
		}
	}
	// A hit in the name outranks hits elsewhere.
	if Score(tea, "绿春") <= Score(rice, "绿春") {
		t.Error("绿春茶 (name) should rank above 梯田红米 (origin, supplier) for 绿春")
	}
}

func TestRank(t *testing.T) {
	t.Parallel()
	ps := []Product{
		{ID: 1, Name: "红河县红米线", Category: "grain_oil", OriginName: "红河县"},
		{ID: 2, Name: "绿春茶", Category: "tea", OriginName: "绿春县", SupplierName: "绿春县茶厂"},
		{ID: 3, Name: "梯田红米", Category: "grain_oil", OriginName: "绿春县", SupplierName: "正华"},
		{ID: 4, Name: "红米", Category: "grain_oil", OriginName: "金平县"},
		{ID: 5, Name: "姬松茸", Category: "dried", OriginName: "绿春县"},
	}
	var ids []int64
	for _, p := range Rank(ps, "红米") {
		ids = append(ids, p.ID)
	}
	// 4: exact name; 1 and 3 tie on a name hit and keep their order; 2 and 5 do not match.
	if !slices.Equal(ids, []int64{4, 1, 3}) {
		t.Errorf("Rank(红米) = %v", ids)
	}
	ids = nil
	for _, p := range Rank(ps, "粮油") {
		ids = append(ids, p.ID)
	}
	if !slices.Equal(ids, []int64{1, 3, 4}) {
		t.Errorf("Rank(粮油) by category label = %v", ids)
	}
	if len(Rank(ps, "石斛")) != 0 {
		t.Error("no match, no result")
	}
}
