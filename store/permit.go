package store

import "github.com/xiezuo/xiezuo"

// permit is nil when the policy (ledger/policy.go) allows the work, else
// EFORBIDDEN with msg, which says who may do it (“只有协作办可以编辑简报”).
func permit(allowed bool, msg string) error {
	if !allowed {
		return xiezuo.Errorf(xiezuo.EFORBIDDEN, "%s", msg)
	}
	return nil
}
