package imports

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/ledger"
	"github.com/xiezuo/xiezuo/registry"
	"github.com/xiezuo/xiezuo/spreadsheet"
	"github.com/xiezuo/xiezuo/store"
)

// Options steer one import.
type Options struct {
	Mode        string // "all" (any error → nothing written) or "valid"
	DryRun      bool   // check and report only
	Approve     bool   // office only: import historical records as approved
	UnitID      int64  // owner of the records; 0 = the user's unit
	DefaultYear int    // year for dates written without one (9月1日)
	MaxBytes    int64  // file size limit; 0 = spreadsheet.DefaultMaxBytes
	UnzipLimit  int64  // unpacked .xlsx limit; 0 = 1 GiB
	Progress    func(rows int)
}

// Choices people write for the coded columns, and the codes they mean.
var (
	formWords = map[string]string{"资金": "cash", "现金": "cash", "捐款": "cash", "cash": "cash", "物资": "in_kind", "实物": "in_kind",
		"in_kind": "in_kind", "消费帮扶": "consumption", "消费扶贫": "consumption", "采购": "consumption", "consumption": "consumption",
		"财政帮扶资金": "fiscal", "财政资金": "fiscal", "财政援助资金": "fiscal", "fiscal": "fiscal"}
	deliveryWords = map[string]string{"到位": "delivered", "已到位": "delivered", "delivered": "delivered", "认捐": "pledged",
		"承诺": "pledged", "pledged": "pledged", "": "delivered"}
	sectorWords = func() map[string]string {
		m := map[string]string{"": "other", "医疗": "health", "卫生": "health", "文化": "culture", "旅游": "culture"}
		for _, c := range ledger.Sectors {
			m[c.Label], m[c.Code] = c.Code, c.Code
		}
		return m
	}()
)

// ErrRefused is returned (wrapped) when mode "all" met an error and
// nothing was written; the batch holds the report.
var ErrRefused = errors.New("import refused")

// GCPercent is the collector's target (runtime/debug.SetGCPercent) `xiezuo
// import` sets unless GOGC is given: the heap may grow by 40% of what is
// live before a collection, not by all of it. A long import keeps ~50-85 MB
// live at 1M rows (the file's row fingerprints, the batch's running sums),
// most when the file has been read and the writer is still a window or two
// behind (inDateOrder); the runtime keeps what the heap reached. Not a
// memory limit: live memory grows with the file, and once it passes a
// limit the collector runs without pause (in one run, a 1M-row import
// under a 50 MiB limit took 484 µs of CPU a row, against 264-308 without).
// README, "峰值内存" and "按日期分窗写入", has the figures.
const GCPercent = 40

// TuneGC sets GCPercent unless GOGC is given, for a process that runs an
// import (xiezuo import, the import benchmark); restore sets back what
// was there.
func TuneGC() (restore func()) {
	if os.Getenv("GOGC") != "" {
		return func() {}
	}
	old := debug.SetGCPercent(GCPercent)
	return func() { debug.SetGCPercent(old) }
}

// Contributions imports a contributions workbook or CSV. It returns the
// batch (with its report) even when rows had errors; a file it cannot read
// at all is an EINVALID error with a Chinese message.
func Contributions(ctx context.Context, db *store.DB, u *xiezuo.User, name string, r io.ReaderAt, size int64, opt Options) (*store.ImportBatch, error) {
	t, err := openTable(name, r, size, opt, ContributionSpec)
	if err != nil {
		return nil, err
	}
	defer t.rd.Close()
	res, err := newResolver(ctx, db, u)
	if err != nil {
		return nil, err
	}
	if opt.UnitID == 0 {
		opt.UnitID = u.OrgID
	}
	p := &rowParser{res: res, h: t.h, u: u, unit: opt.UnitID, year: opt.DefaultYear, today: db.Today()}
	seen := seenRows{}
	read := 0
	next := func() (store.BatchRow, error) {
		row, line, err := t.next()
		if err != nil {
			seen = nil // not held while the batch is written and published
			return store.BatchRow{}, err
		}
		// Progress counts rows read: they are written a window later
		// (inDateOrder).
		if read++; opt.Progress != nil && read%1000 == 0 {
			opt.Progress(read)
		}
		ir := store.BatchRow{Line: line, Cells: row}
		c, msg := p.parse(row)
		if msg == "" {
			fp := fingerprint(c)
			ir.Contribution, ir.Key = c, hex.EncodeToString(fp[:])
			if prev, ok := seen.add(fp, ir.Line); !ok {
				msg = "与前面的一行完全相同（同一文件内重复）"
				if prev > 0 {
					msg = fmt.Sprintf("与第%d行完全相同（同一文件内重复）", prev)
				}
			}
		}
		if msg != "" {
			ir.Contribution, ir.Err = nil, msg
		}
		return ir, nil
	}
	b := t.batch(name, opt, ledger.KindContribution)
	b.UnitID = opt.UnitID
	rows, stop := pipeline(next, 1024)
	defer stop()
	if !opt.DryRun {
		sorted, stopSort, err := inDateOrder(rows, firstWindow, dateWindow)
		if err != nil {
			return nil, err
		}
		defer stopSort()                    // before stop: deferred calls run last first
		rows, stop = pipeline(sorted, 1024) // the records decoded ahead of the writer
		defer stop()
	}
	if err := db.Import(ctx, u, b, rows, nil); err != nil {
		return nil, err
	}
	return refusal(b)
}

// ByKind imports a file of the given kind (a key of Specs), for the CLI
// and the web upload.
func ByKind(ctx context.Context, kind string, db *store.DB, u *xiezuo.User, name string, r io.ReaderAt, size int64, opt Options) (*store.ImportBatch, error) {
	switch kind {
	case "contributions", "":
		return Contributions(ctx, db, u, name, r, size, opt)
	case "organisations":
		return Organisations(ctx, db, u, name, r, size, opt)
	case "purchases832":
		return Purchases832(ctx, db, u, name, r, size, opt)
	case "products":
		return Products(ctx, db, u, name, r, size, opt)
	}
	if spec, ok := Specs[kind]; ok {
		return Records(ctx, db, u, spec, name, r, size, opt)
	}
	return nil, xiezuo.Errorf(xiezuo.EINVALID, "不支持导入类型“%s”（可用：%s）", kind, strings.Join(SpecOrder, "、"))
}

// refusal returns the batch, with ErrRefused when mode "all" refused it.
func refusal(b *store.ImportBatch) (*store.ImportBatch, error) {
	if b.Status == store.ImportRefused {
		return b, fmt.Errorf("%w: %d 行有错误，全部未导入", ErrRefused, b.Errors)
	}
	return b, nil
}

// table is an opened import file positioned below its header row.
type table struct {
	rd        *spreadsheet.Reader
	h         spreadsheet.Header
	headerRow []string
	sha       string
	first     []string
}

func fileError(msg string) error {
	return &xiezuo.Error{Code: xiezuo.EINVALID, Message: msg, Fields: map[string]string{"file": msg}}
}

// openTable opens a file for spec: size checked before reading, header
// found by name, and at least one data row present.
func openTable(name string, r io.ReaderAt, size int64, opt Options, spec Spec) (*table, error) {
	rd, err := spreadsheet.Open(name, r, size, spreadsheet.Options{MaxBytes: opt.MaxBytes, UnzipLimit: opt.UnzipLimit})
	if err != nil {
		return nil, fileError(err.Error())
	}
	sum := sha256.New()
	if _, err := io.Copy(sum, io.NewSectionReader(r, 0, size)); err != nil {
		rd.Close()
		return nil, xiezuo.Internal(err)
	}
	var required, known []string
	aliases := map[string][]string{}
	for _, c := range spec.Columns {
		known = append(known, c.Header)
		aliases[c.Header] = c.Aliases
		if c.Required {
			required = append(required, c.Header)
		}
	}
	h, headerRow, err := rd.FindHeader(required, known, aliases)
	if err != nil {
		rd.Close()
		return nil, fileError(err.Error())
	}
	t := &table{rd: rd, h: h, headerRow: headerRow, sha: hex.EncodeToString(sum.Sum(nil))}
	first, err := t.dataRow()
	if errors.Is(err, io.EOF) {
		rd.Close()
		return nil, fileError("表头下面没有数据行")
	} else if err != nil {
		rd.Close()
		return nil, fileError("读取文件失败：" + err.Error())
	}
	t.first = first
	return t, nil
}

// dataRow reads on to the next row with data: blank rows, the template's
// example row and totals rows are passed over.
func (t *table) dataRow() ([]string, error) {
	for {
		row, err := t.rd.Next()
		if err != nil || !(spreadsheet.Blank(row) || isExampleRow(row) || isTotalRow(row)) {
			return row, err
		}
	}
}

// next returns the next data row and its sheet line, io.EOF at the end.
func (t *table) next() ([]string, int, error) {
	if row := t.first; row != nil {
		t.first = nil
		return row, t.rd.Line(), nil
	}
	row, err := t.dataRow()
	if err != nil && !errors.Is(err, io.EOF) {
		err = &xiezuo.Error{Code: xiezuo.EINVALID, Message: fmt.Sprintf("读取第%d行之后失败：%v", t.rd.Line(), err)}
	}
	return row, t.rd.Line(), err
}

// batch starts the batch record of this file.
func (t *table) batch(name string, opt Options, kind ledger.Kind) *store.ImportBatch {
	mode := opt.Mode
	if mode == "" {
		mode = "all"
	}
	return &store.ImportBatch{Kind: string(kind), FileName: name, FileSHA256: t.sha, Mode: mode, Approve: opt.Approve, DryRun: opt.DryRun, Header: t.headerRow}
}

// pipeline runs next in a goroutine of its own, up to depth rows ahead of
// its reader, so reading the file and writing the database use both cores.
// stop ends the goroutine early when the writer fails.
func pipeline(next func() (store.BatchRow, error), depth int) (func() (store.BatchRow, error), func()) {
	type item struct {
		row store.BatchRow
		err error
	}
	ch := make(chan item, depth)
	done := make(chan struct{})
	go func() {
		defer close(ch)
		for {
			row, err := next()
			select {
			case ch <- item{row, err}:
			case <-done:
				return
			}
			if err != nil {
				return
			}
		}
	}()
	var once sync.Once
	stop := func() {
		once.Do(func() { close(done) })
		for range ch { // let the reader finish before the file is closed
		}
	}
	return func() (store.BatchRow, error) {
		it, ok := <-ch
		if !ok {
			return store.BatchRow{}, io.EOF
		}
		return it.row, it.err
	}, stop
}

// isExampleRow reports the template's example row: a cell carries the mark.
func isExampleRow(row []string) bool {
	for _, c := range row {
		if strings.HasPrefix(strings.TrimSpace(c), exampleMark) {
			return true
		}
	}
	return false
}

// isTotalRow reports a totals row (合计/小计/总计 in its first filled
// cell), as exports and hand-made sheets end with.
func isTotalRow(row []string) bool {
	for _, c := range row {
		if c = strings.TrimSpace(c); c != "" {
			return strings.HasPrefix(c, "合计") || strings.HasPrefix(c, "小计") || strings.HasPrefix(c, "总计")
		}
	}
	return false
}

// rowParser reads one row into a contribution.
type rowParser struct {
	res   *resolver
	h     spreadsheet.Header
	u     *xiezuo.User
	unit  int64
	year  int
	today string // YYYY-MM-DD in China on the database's clock
}

// parse returns the record, or a message naming each bad column.
func (p *rowParser) parse(row []string) (*ledger.Contribution, string) {
	cl := &cells{spec: ContributionSpec, h: p.h, row: row, res: p.res, year: p.year, today: p.today}
	bad, cell := cl.bad, cl.s
	c := &ledger.Contribution{Header: ledger.Header{UnitID: p.unit}}

	from, to, ok := xiezuo.ParseDateRange(cell("日期"), p.year)
	switch {
	case cell("日期") == "":
		bad("日期", "不能为空")
	case !ok && from == "" && p.year == 0 && !strings.ContainsAny(cell("日期"), "年-/.") && strings.Contains(cell("日期"), "月"):
		bad("日期", "“"+cell("日期")+"”没有年份：请写完整日期，或导入时指定年度")
	case !ok:
		bad("日期", "“"+cell("日期")+"”不是有效日期，请写成 2020-09-01 或 2020年9月1日")
	}
	c.DateFrom, c.DateTo = from, to
	if s := cell("截止日期"); s != "" {
		if d, ok := xiezuo.ParseDate(s, yearOf(from, p.year)); ok {
			c.DateTo = d
		} else {
			bad("截止日期", xiezuo.DateProblem(s))
		}
	}
	for _, n := range splitList(cell("帮扶单位")) {
		o, err := p.res.org(n)
		if err != nil {
			bad("帮扶单位", err.Error())
			continue
		}
		c.Givers = append(c.Givers, o)
	}
	c.CountyCode = cl.county("受援县")
	c.TownshipCode = cl.place("受援乡镇", c.CountyCode, registry.LevelTownship)
	parent := c.TownshipCode
	if parent == "" {
		parent = c.CountyCode
	}
	c.VillageCode = cl.place("受援村", parent, registry.LevelVillage)
	c.Institution = cell("受援机构")
	if s := spreadsheet.Normalize(cell("形式")); s != "" {
		if c.Form = formWords[s]; c.Form == "" {
			bad("形式", "“"+s+"”无效，应为 资金、物资、消费帮扶 或 财政帮扶资金")
		}
	} else {
		bad("形式", "不能为空")
	}
	if c.Sector = sectorWords[spreadsheet.Normalize(cell("领域"))]; c.Sector == "" {
		bad("领域", "“"+cell("领域")+"”无效，应为 教育、医疗卫生、产业、民生、基础设施、就业、文化旅游 或 其他")
	}
	if c.Delivery = deliveryWords[spreadsheet.Normalize(cell("状态"))]; c.Delivery == "" {
		bad("状态", "“"+cell("状态")+"”无效，应为 认捐 或 到位")
	}
	if s := cell("金额(元)"); s != "" {
		if strings.HasPrefix(spreadsheet.Normalize(s), "=") {
			bad("金额(元)", "是公式且没有计算结果，请填写数值")
		} else if n, ok := xiezuo.ParseYuan(s); ok {
			c.AmountFen = n
		} else if strings.HasPrefix(spreadsheet.Normalize(s), "-") {
			bad("金额(元)", "不能为负数")
		} else {
			bad("金额(元)", "“"+s+"”不是金额：请以元为单位填写，如 30000 或 3万")
		}
	}
	c.Quantity = cl.count("数量")
	c.QuantityUnit = cell("计量单位")
	c.Item = cell("物资/内容")
	c.Beneficiaries = cl.count("受益人数")
	c.ActivityID = cl.activity("所属活动")
	c.Note = cell("备注")
	if s := cell("填报单位"); s != "" {
		o, err := p.res.org(s)
		switch {
		case err != nil:
			bad("填报单位", err.Error())
		case !ledger.CanCreateFor(p.u, o.ID):
			bad("填报单位", "只能导入本单位（"+p.u.OrgName+"）的记录")
		default:
			c.UnitID = o.ID
		}
	}
	if c.UnitID == 0 && len(c.Givers) > 0 {
		// The office's own account belongs to no unit: each row is then
		// recorded as reported by its (first) giver.
		c.UnitID = c.Givers[0].ID
	}
	if c.UnitID == 0 {
		bad("填报单位", "未填写：当前账号不属于任何单位，请填写填报单位或帮扶单位")
	}
	if len(cl.errs) == 0 {
		if c.DateFrom > p.today {
			bad("日期", "不能晚于今天（"+c.DateFrom+"）")
		}
		if !ledger.CanRecordInCounty(p.u, c.CountyCode) {
			bad("受援县", "受援县用户只能导入本县的记录")
		}
	}
	if len(cl.errs) == 0 {
		cl.check(c.Validate(p.today))
	}
	if len(cl.errs) > 0 {
		return nil, strings.Join(cl.errs, "；")
	}
	return c, ""
}

func yearOf(date string, fallback int) int {
	if len(date) >= 4 {
		if y, err := strconv.Atoi(date[:4]); err == nil {
			return y
		}
	}
	return fallback
}

// splitList splits a cell of several names: 、，,;； and newlines.
func splitList(s string) []string {
	parts := strings.FieldsFunc(s, func(r rune) bool {
		return r == '、' || r == '，' || r == ',' || r == ';' || r == '；' || r == '\n' || r == '/'
	})
	var out []string
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// seenRows holds the fingerprint of every row of a file read so far with
// its line, 12 bytes a slot (a map's slots are as large as its key and
// value, aligned): the first 9 bytes of the fingerprint are the key, and
// the line takes 3. With 72 bits, two different rows of a file of ten
// million rows share a key with a chance of about one in 10^8. At three
// million rows the map of 16-byte slots (a 12-byte key, an int32 line)
// was 76 MB of a 118 MB live heap at the import's peak.
type seenRows map[[9]byte][3]byte

// add notes that line has fingerprint fp; when a line before had it, ok
// is false and prev is that line (0 for one past 16,777,215, which three
// bytes do not hold).
func (s seenRows) add(fp [16]byte, line int) (prev int, ok bool) {
	key := [9]byte(fp[:9])
	if v, dup := s[key]; dup {
		return int(v[0])<<16 | int(v[1])<<8 | int(v[2]), false
	}
	if line >= 1<<24 {
		line = 0
	}
	s[key] = [3]byte{byte(line >> 16), byte(line >> 8), byte(line)}
	return 0, true
}

// fingerprint identifies a row's content: importing the same row again
// (same file or another) finds it and skips it.
func fingerprint(c *ledger.Contribution) (fp [16]byte) {
	givers := make([]string, len(c.Givers))
	for i, g := range c.Givers {
		givers[i] = strconv.FormatInt(g.ID, 10)
	}
	slices.Sort(givers)
	h := sha256.New()
	for _, f := range []string{strconv.FormatInt(c.UnitID, 10), strings.Join(givers, ","), c.CountyCode, c.TownshipCode, c.VillageCode,
		c.Institution, c.Form, c.Sector, c.Delivery, strconv.FormatInt(c.AmountFen, 10), strconv.FormatInt(c.Quantity, 10), c.QuantityUnit,
		c.Item, c.DateFrom, c.DateTo, strconv.FormatInt(c.Beneficiaries, 10), strconv.FormatInt(c.ActivityID, 10), c.Note} {
		h.Write([]byte(f))
		h.Write([]byte{0x1f})
	}
	copy(fp[:], h.Sum(nil))
	return fp
}
