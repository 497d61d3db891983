package store

import (
	"cmp"
	"slices"
	"strings"
	"testing"
)

// TestGramKey: sorting an import's bigrams by their keys orders them as
// their strings compare bytewise (search_grams' order), ASCII, Chinese and
// four-byte runes alike.
func TestGramKey(t *testing.T) {
	var rows []gramRow
	for i, text := range []string{"帮扶资金2020年", "ab红米Ab", "𠀀茶叶z𠀁", "教育 医疗", "a", "ÿ红", "红河州绿春县"} {
		for _, g := range searchGrams(text) {
			rows = append(rows, gramRow{gram: g, id: int64(i), key: gramKey(g)})
		}
	}
	byKey := slices.Clone(rows)
	slices.SortFunc(byKey, func(a, b gramRow) int { return cmp.Or(cmp.Compare(a.key, b.key), cmp.Compare(a.id, b.id)) })
	byString := slices.Clone(rows)
	slices.SortFunc(byString, func(a, b gramRow) int { return cmp.Or(strings.Compare(a.gram, b.gram), cmp.Compare(a.id, b.id)) })
	if !slices.Equal(byKey, byString) {
		t.Fatalf("by key %v\nby string %v", byKey, byString)
	}
	if len(rows) < 20 {
		t.Fatalf("only %d bigrams", len(rows))
	}
}
