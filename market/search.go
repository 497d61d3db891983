package market

import (
	"sort"
	"strings"
)

// Catalogue search. Finding candidates is the store's: it indexes the
// bigrams of the fields below with the rule every keyword filter already
// uses (store.searchGrams: every two adjacent characters, ASCII
// lower-cased, so two-character words such as 红米, 茶叶, 石斛 are found),
// and confirms each query word with LIKE. This file only ranks what was
// found, with a match rule the store's filter agrees with: every word of
// the query appears in some field.

// SearchDoc is the text of one product that a search ranks: its name,
// its category's label, its origin's name (county, township, village) and
// its supplier's name.
type SearchDoc struct {
	Name     string
	Category string
	Origin   string
	Supplier string
}

// ProductDoc is p's SearchDoc (origin and supplier names as the store
// filled them).
func ProductDoc(p *Product) SearchDoc {
	return SearchDoc{Name: p.Name, Category: CategoryLabel(p.Category), Origin: p.OriginName, Supplier: p.SupplierName}
}

// Weights of a query word found in each field: a hit in the name weighs
// most. A name that starts with the word earns NamePrefixBonus more; a
// name equal to the whole query, NameExactBonus.
const (
	WeightName      = 10
	WeightCategory  = 4
	WeightOrigin    = 3
	WeightSupplier  = 2
	NamePrefixBonus = 5
	NameExactBonus  = 20
)

// QueryWords splits a query into its words: separated by white space
// (the ideographic space too), ASCII lower-cased. Chinese words are not
// split further: 梯田红米 is one word and matches only where it appears
// whole.
func QueryWords(query string) []string {
	return strings.Fields(strings.ToLower(query))
}

// Score ranks doc for query: for each query word, the weights of the
// fields that contain it (ASCII case ignored), plus the name bonuses. It
// is 0 when some word is in no field (no match) or the query is empty.
func Score(doc SearchDoc, query string) int {
	words := QueryWords(query)
	return scoreWords(doc, words, strings.Join(words, " "))
}

// scoreWords is Score for the query's words and their join (Rank splits
// the query once for every product).
func scoreWords(doc SearchDoc, words []string, joined string) int {
	if len(words) == 0 {
		return 0
	}
	name := strings.ToLower(doc.Name)
	fields := [...]struct {
		text   string
		weight int
	}{
		{name, WeightName},
		{strings.ToLower(doc.Category), WeightCategory},
		{strings.ToLower(doc.Origin), WeightOrigin},
		{strings.ToLower(doc.Supplier), WeightSupplier},
	}
	total := 0
	for _, w := range words {
		hit := 0
		for _, f := range fields {
			if strings.Contains(f.text, w) {
				hit += f.weight
			}
		}
		if hit == 0 {
			return 0
		}
		if strings.HasPrefix(name, w) {
			hit += NamePrefixBonus
		}
		total += hit
	}
	if name == joined {
		total += NameExactBonus
	}
	return total
}

// Rank returns the products that match query, best first; products of
// equal score keep their order (the store's, e.g. newest first).
func Rank(products []Product, query string) []Product {
	type scored struct {
		i, score int
	}
	words := QueryWords(query)
	joined := strings.Join(words, " ")
	var out []scored
	for i := range products {
		if s := scoreWords(ProductDoc(&products[i]), words, joined); s > 0 {
			out = append(out, scored{i, s})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].score > out[j].score })
	ranked := make([]Product, len(out))
	for i, s := range out {
		ranked[i] = products[s.i]
	}
	return ranked
}
