package xiezuo

import (
	"testing"
	"time"
)

func TestChina(t *testing.T) {
	t.Parallel()
	// 16:30 UTC on New Year's Eve is already the new year in China.
	at := time.Date(2020, 12, 31, 16, 30, 0, 0, time.UTC).In(China)
	if at.Year() != 2021 || at.Format("2006-01-02 15:04") != "2021-01-01 00:30" {
		t.Errorf("in China: %s", at)
	}
	if _, off := at.Zone(); off != 8*3600 {
		t.Errorf("offset %d", off)
	}
}
