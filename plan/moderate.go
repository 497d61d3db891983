package plan

import (
	"fmt"
	"strings"
	"unicode"

	"github.com/xiezuo/xiezuo"
)

// Flag is a moderation warning on a need, for the office to weigh before
// it publishes or returns the need: never a refusal by itself.
type Flag struct {
	Kind    string `json:"kind"` // "duplicate" or "amount"
	Message string `json:"message"`
	OtherID int64  `json:"other_id,omitempty"` // the need it may duplicate
}

// UnitCaps is, per category, the most one unit of a need usually costs
// (in fen): a need whose estimate per unit (amount ÷ quantity) is above
// it is flagged as unreasonable. A computer for a school is some 5,000
// 元, a desk some 500 元: 2 万元 per unit of 教育助学 leaves room for
// anything a school asks for by the piece; a patient's treatment (医疗救助)
// may reach 20 万元; a household's necessities some 5,000 元. These are
// deliberately loose: the flag asks the office to look, it does not
// decide.
var UnitCaps = map[string]int64{
	"education":      2_000_000,   // 2 万元
	"medical":        20_000_000,  // 20 万元
	"industry":       100_000_000, // 100 万元
	"employment":     5_000_000,   // 5 万元 per person trained or placed
	"infrastructure": 500_000_000, // 500 万元
	"necessities":    500_000,     // 5,000 元
	"other":          10_000_000,  // 10 万元
}

// TotalCap is the estimate above which any need is flagged, whatever its
// quantity: 1,000 万元 is more than a county's yearly share of most
// pairings' funds.
const TotalCap int64 = 1_000_000_000

// AmountFlag says whether n's estimate is unreasonable by the rule of
// UnitCaps and TotalCap (nil: not flagged).
func AmountFlag(n *Need) *Flag {
	if n.AmountFen > TotalCap {
		return &Flag{Kind: "amount", Message: fmt.Sprintf("估算金额%s元，超过单项需求常见上限%s元，请核实", xiezuo.FormatYuan(n.AmountFen), xiezuo.FormatYuan(TotalCap))}
	}
	limit, ok := UnitCaps[n.Category]
	if !ok || n.Quantity <= 0 || n.AmountFen <= 0 {
		return nil
	}
	per := n.AmountFen / n.Quantity
	if per <= limit {
		return nil
	}
	unit := n.Unit
	if unit == "" {
		unit = "单位"
	}
	return &Flag{Kind: "amount", Message: fmt.Sprintf("每%s约%s元，高于%s类常见上限%s元，请核实数量和金额",
		unit, xiezuo.FormatYuan(per), CategoryLabel(n.Category), xiezuo.FormatYuan(limit))}
}

// MaxDuplicateFlags is how many likely duplicates Flags names.
const MaxDuplicateFlags = 5

// SimilarThreshold is how alike two needs' item texts must be (the share
// of their character pairs in common, 0–1) to count as likely duplicates.
const SimilarThreshold = 0.5

// Similarity compares two item texts: 1 when one contains the other
// (after dropping spaces and punctuation), else the Dice coefficient of
// their adjacent-character pairs (“电脑”, “脑2”…), which suits Chinese
// text without a word list: “村小学电脑20台” and “小学计算机电脑20台”
// share most pairs.
func Similarity(a, b string) float64 {
	a, b = squash(a), squash(b)
	if a == "" || b == "" {
		return 0
	}
	if strings.Contains(a, b) || strings.Contains(b, a) {
		return 1
	}
	pa, pb := pairs(a), pairs(b)
	if len(pa) == 0 || len(pb) == 0 {
		return 0
	}
	left := map[string]int{}
	for _, p := range pb {
		left[p]++
	}
	common := 0
	for _, p := range pa {
		if left[p] > 0 {
			left[p]--
			common++
		}
	}
	return 2 * float64(common) / float64(len(pa)+len(pb))
}

func squash(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func pairs(s string) []string {
	rs := []rune(s)
	out := make([]string, 0, len(rs))
	for i := 0; i+1 < len(rs); i++ {
		out = append(out, string(rs[i:i+2]))
	}
	return out
}

// DuplicateOf says whether other is a likely duplicate of n: another need
// of the same county and category for the same year, not returned or
// closed, whose item text is similar (Similarity ≥ SimilarThreshold).
func DuplicateOf(n, other *Need) bool {
	return other.ID != n.ID && other.CountyCode == n.CountyCode && other.Category == n.Category && other.Year() == n.Year() &&
		other.Status != NeedReturned && other.Status != NeedClosed && Similarity(n.Item, other.Item) >= SimilarThreshold
}

// Flags are n's moderation warnings against the county's other needs
// (those DuplicateOf looks at): likely duplicates and an unreasonable
// amount.
//
// At most MaxDuplicateFlags duplicates are named, the rest counted in
// one more flag (“另有 N 条…”): 500 copies of one need must not list 499
// others each.
func Flags(n *Need, others []Need) []Flag {
	var out []Flag
	more := 0
	for i := range others {
		o := &others[i]
		if !DuplicateOf(n, o) {
			continue
		}
		if len(out) == MaxDuplicateFlags {
			more++
			continue
		}
		out = append(out, Flag{Kind: "duplicate", OtherID: o.ID,
			Message: fmt.Sprintf("可能与需求（编号%d）“%s”重复：同县、同类别、同年度，内容相近（状态：%s）", o.ID, o.Item, o.Status.Label())})
	}
	if more > 0 {
		out = append(out, Flag{Kind: "duplicate", Message: fmt.Sprintf("等 %d 条：另有 %d 条可能重复的需求未列出", MaxDuplicateFlags+more, more)})
	}
	if f := AmountFlag(n); f != nil {
		out = append(out, *f)
	}
	return out
}
