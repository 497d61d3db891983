package ledger

import (
	"time"

	"github.com/xiezuo/xiezuo"
)

func parseDate(s string) (time.Time, error) { return time.Parse(xiezuo.DateLayout, s) }
