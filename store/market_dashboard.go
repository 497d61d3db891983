package store

import (
	"context"
	"sort"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/ledger"
	"github.com/xiezuo/xiezuo/market"
	"github.com/xiezuo/xiezuo/report"
)

// The dashboard's 消费帮扶 by channel (issue 12 item 5): the approved
// consumption records market orders posted, per channel of their order,
// read from the running sums of supervision (market_purchase_sums, by
// month of the record's date and county) — no pass over the records.
// The contributions list answers the same figure for its channel filter
// (ledger.ContributionFilter.Channel) from the same sums, so a figure and
// the list it links to agree.

// validChannel checks a contributions filter's channel: a market channel
// code, ledger.ChannelNone or "".
func validChannel(c string) error {
	if c == "" || c == ledger.ChannelNone || market.ValidChannel(c) {
		return nil
	}
	return &xiezuo.Error{Code: xiezuo.EINVALID, Message: "采购渠道参数无效：" + c,
		Fields: map[string]string{"channel": "采购渠道参数无效"}}
}

// channelSums selects the rows of market_purchase_sums (alias s) that
// answer f's channel for approved whole months: f may keep only a
// county, a period, the approved status and the consumption form or
// area besides; any other filter (or ledger.ChannelNone) is the rows'.
func channelSums(f *ledger.ContributionFilter) (string, *where, bool) {
	if f.Channel == ledger.ChannelNone || !market.ValidChannel(f.Channel) || f.GiverID != 0 || f.TownshipCode != "" || f.Sector != "" ||
		f.Delivery != "" || (f.Form != "" && f.Form != "consumption") || (f.Area != "" && f.Area != "consumption") {
		return "", nil, false
	}
	w := &where{}
	w.add("s.channel = ?", f.Channel)
	if f.CountyCode != "" {
		w.add("s.county_code = ?", f.CountyCode)
	}
	return "market_purchase_sums", w, true
}

// ConsumptionChannels is the approved 消费帮扶 of scope f that market
// orders posted, per channel of the orders (largest first), from the
// running sums; ok is false when f's period is not whole months (the
// sums are monthly: the dashboard's years always are). Anyone may call it
// (aggregates only). Errors: EINVALID (bad filter), EINTERNAL.
func (d *DB) ConsumptionChannels(ctx context.Context, f report.Filter) (sums []PurchaseSum, ok bool, err error) {
	if err := f.Validate(); err != nil {
		return nil, false, err
	}
	from, to, whole := wholeMonths(f.From, f.To)
	if !whole {
		return nil, false, nil
	}
	w := &where{}
	if from != "" {
		w.add("s.month >= ?", from)
	}
	if to != "" {
		w.add("s.month <= ?", to)
	}
	if f.CountyCode != "" {
		w.add("s.county_code = ?", f.CountyCode)
	}
	rows, err := d.db.QueryContext(ctx, `SELECT s.channel, SUM(s.n), SUM(s.fen) FROM market_purchase_sums s`+w.sql()+
		` GROUP BY s.channel HAVING SUM(s.n) > 0`, w.args...)
	if err != nil {
		return nil, false, xiezuo.Internal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var s PurchaseSum
		if err := rows.Scan(&s.Code, &s.N, &s.Fen); err != nil {
			return nil, false, xiezuo.Internal(err)
		}
		s.Label = market.ChannelLabel(s.Code)
		sums = append(sums, s)
	}
	if err := rows.Err(); err != nil {
		return nil, false, xiezuo.Internal(err)
	}
	sort.SliceStable(sums, func(i, j int) bool {
		return sums[i].Fen > sums[j].Fen || sums[i].Fen == sums[j].Fen && sums[i].Code < sums[j].Code
	})
	return sums, true, nil
}
