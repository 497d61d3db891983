package imports

import (
	"errors"
	"fmt"
	"io"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/xiezuo/xiezuo/ledger"
	"github.com/xiezuo/xiezuo/store"
)

// rowsOf yields rows, then end (io.EOF or a read error).
func rowsOf(rows []store.BatchRow, end error) func() (store.BatchRow, error) {
	i := 0
	return func() (store.BatchRow, error) {
		if i == len(rows) {
			return store.BatchRow{}, end
		}
		i++
		return rows[i-1], nil
	}
}

func datedRow(line int, date string) store.BatchRow {
	return store.BatchRow{Line: line, Cells: []string{date, "", "携程集团、拼多多", "绿春县", "大兴镇", "第" + date + "笔"}, Key: "k" + date,
		Contribution: &ledger.Contribution{Header: ledger.Header{UnitID: 7}, DateFrom: date, DateTo: date, CountyCode: "532531000000",
			TownshipCode: "532531101000", Givers: []ledger.Org{{ID: 3, Name: "携程集团"}, {ID: 9, Name: "拼多多"}}, Form: "cash", Sector: "education",
			Delivery: "delivered", AmountFen: 1234500, Item: "校服\n“冬装”", Note: "备注"}}
}

// TestInDateOrder: each window comes back in date order, stable, rows
// with errors first, every field as it went in; windows double up to
// their limit; the end and a read error pass through.
func TestInDateOrder(t *testing.T) {
	in := []store.BatchRow{
		datedRow(2, "2020-09-03"), datedRow(3, "2020-09-01"), // window 1 (2 rows): 3, 2
		{Line: 4, Cells: []string{"坏日期", ""}, Err: "【日期】无效"}, datedRow(5, "2020-09-01"),
		datedRow(6, "2021-01-01"), datedRow(7, "2019-12-31"), // window 2 (twice as long): 4, 7, 5, 6
		datedRow(8, "2020-01-01"), datedRow(9, "2020-01-01"), // window 3 (no longer, and the end): 8, 9
	}
	in[3].Note = "说明"
	next, stop, err := inDateOrder(rowsOf(in, io.EOF), 2, 4)
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	var lines []int
	for {
		r, err := next()
		if errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		lines = append(lines, r.Line)
		want := in[r.Line-2]
		if !reflect.DeepEqual(r, want) {
			t.Errorf("line %d came back as %+v, want %+v", r.Line, r, want)
		}
	}
	if want := []int{3, 2, 4, 7, 5, 6, 8, 9}; !reflect.DeepEqual(lines, want) {
		t.Errorf("order %v, want %v", lines, want)
	}

	broken := errors.New("读取第3行之后失败")
	next, stop2, err := inDateOrder(rowsOf(in[:2], broken), 4, 4)
	if err != nil {
		t.Fatal(err)
	}
	defer stop2()
	if _, err := next(); !errors.Is(err, broken) {
		t.Errorf("a read error: got %v, want it passed on before any row of its window", err)
	}
}

// TestInDateOrderStop: stopping while rows wait ends the spooling
// goroutine at once, not when its window is full (the writer failed, the
// import was cancelled).
func TestInDateOrderStop(t *testing.T) {
	before := runtime.NumGoroutine()
	gate := make(chan struct{})
	pulled := 0 // only the spooling goroutine calls next
	slow := func() (store.BatchRow, error) {
		if pulled++; pulled > 4 {
			<-gate // the reader gives one row at a time from here
		}
		return datedRow(2, "2020-09-01"), nil
	}
	next, stop, err := inDateOrder(slow, 4, 1<<30) // windows of 4, then 8
	if err != nil {
		t.Fatal(err)
	}
	for range 4 {
		if _, err := next(); err != nil {
			t.Fatal(err)
		}
	}
	stopped := make(chan struct{})
	go func() {
		stop()
		stop() // twice is harmless
		close(stopped)
	}()
	time.Sleep(20 * time.Millisecond) // stop has begun
	released := 0
	for waiting := true; waiting; {
		select {
		case <-stopped:
			waiting = false
		case gate <- struct{}{}:
			if released++; released >= 8 {
				t.Fatalf("stop waited for the window to fill: %d more rows read", released)
			}
		}
	}
	for deadline := time.Now().Add(5 * time.Second); runtime.NumGoroutine() > before; {
		if time.Now().After(deadline) {
			t.Fatalf("%d goroutines after stop, %d before", runtime.NumGoroutine(), before)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestSpoolRoundTrip: every field of a contribution comes back from the
// spool, whatever it holds; a field added to ledger.Contribution and not
// to recordFields fails here. A cut record is an error, not a wrong row.
func TestSpoolRoundTrip(t *testing.T) {
	c := &ledger.Contribution{}
	n := 0
	var fill func(v reflect.Value)
	fill = func(v reflect.Value) {
		switch v.Kind() {
		case reflect.Struct:
			for i := range v.NumField() {
				fill(v.Field(i))
			}
		case reflect.String:
			n++
			v.SetString(fmt.Sprintf("字段%d\x00", n))
		case reflect.Int64:
			n++
			v.SetInt(int64(n) * -1_000_000_007)
		case reflect.Slice:
			v.Set(reflect.ValueOf([]ledger.Org{{ID: 3, Name: "携程集团"}, {ID: -1, Name: ""}}))
		default:
			t.Fatalf("a %s field: teach the spool (recordFields) and this test about it", v.Kind())
		}
	}
	fill(reflect.ValueOf(c).Elem())
	in := store.BatchRow{Line: 123456, Cells: []string{"", "二", strings.Repeat("长", 300)}, Key: "k", Note: "说明", Contribution: c}
	buf := encodeRow(nil, &in)
	out, err := decodeRow(buf)
	if err != nil || !reflect.DeepEqual(out, in) {
		t.Fatalf("round trip:\n got %+v %v\nwant %+v", out.Contribution, err, in.Contribution)
	}
	for cut := range len(buf) {
		if _, err := decodeRow(buf[:cut]); err == nil {
			t.Fatalf("a record cut to %d of %d bytes was read without an error", cut, len(buf))
		}
	}
}
