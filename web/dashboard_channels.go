package web

import (
	"net/http"

	"github.com/xiezuo/xiezuo/ledger"
	"github.com/xiezuo/xiezuo/market"
	"github.com/xiezuo/xiezuo/report"
)

// The dashboard's 消费帮扶 by channel (issue 12 item 5): beside the area's
// total, what the market's orders of each channel posted, and the rest
// (records no order posted), each linked to the contributions list of
// its channel, whose total is the figure.

// channelFigure is one channel's 消费帮扶 on the dashboard.
type channelFigure struct {
	Code  string `json:"code"` // the market's channel, or ledger.ChannelNone
	Label string `json:"label"`
	Fen   int64  `json:"fen"`
	N     int64  `json:"n,omitempty"` // orders' records; 0 for the rest
	Href  string `json:"-"`
}

// consumptionChannels are the scope's 消费帮扶 figures by channel, the
// rest (records no order posted) last if any; none at all when no order
// posted any: the area's total says it all. Public views get no links.
func (s *Server) consumptionChannels(r *http.Request, f report.Filter, d *report.Dashboard, public bool) ([]channelFigure, error) {
	sums, ok, err := s.DB.ConsumptionChannels(r.Context(), f)
	if err != nil || !ok || len(sums) == 0 {
		return nil, err
	}
	var total int64
	for _, a := range d.Areas {
		for _, fg := range a.Figures {
			if fg.Code == "consumption" {
				total = fg.Value
			}
		}
	}
	link := func(channel string) string {
		if public {
			return ""
		}
		return "/contributions?" + f.Query("area", "consumption", "channel", channel)
	}
	var out []channelFigure
	var byOrders int64
	for _, c := range sums {
		out = append(out, channelFigure{Code: c.Code, Label: c.Label, Fen: c.Fen, N: c.N, Href: link(c.Code)})
		byOrders += c.Fen
	}
	if rest := total - byOrders; rest != 0 {
		out = append(out, channelFigure{Code: ledger.ChannelNone, Label: "直接录入及认捐", Fen: rest, Href: link(ledger.ChannelNone)})
	}
	return out, nil
}

// channelWords names a contributions filter's channel.
func channelWords(c string) string {
	if c == ledger.ChannelNone {
		return "未关联订单的记录"
	}
	return "采购渠道：" + market.ChannelLabel(c)
}
