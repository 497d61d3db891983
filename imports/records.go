package imports

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/ledger"
	"github.com/xiezuo/xiezuo/registry"
	"github.com/xiezuo/xiezuo/spreadsheet"
	"github.com/xiezuo/xiezuo/store"
)

// Specs of the low-volume record kinds: activities, projects, labour
// records and beneficiary batches. Rows are written through the services.
var (
	ActivitySpec = Spec{Kind: ledger.KindActivity, Title: "活动", Columns: []Column{
		{Header: "标题", Required: true, Field: "title", Width: 40, Example: "程家桥街道赴绿春县开展东西部扶贫协作工作", Help: "不超过100字"},
		{Header: "类型", Required: true, Field: "kind", Width: 10, List: "actkind", Example: "考察调研", Help: strings.Join(ledger.ActivityKinds, "、")},
		{Header: "开始日期", Aliases: []string{"日期"}, Required: true, Field: "date_from", Width: spreadsheet.DateWidth, Example: "2020年9月1日", Help: "也可写区间“9月1日至4日”"},
		{Header: "截止日期", Field: "date_to", Width: spreadsheet.DateWidth},
		{Header: "简报栏目", Aliases: []string{"栏目"}, Required: true, Field: "section", Width: 10, List: "section", Example: "扶贫协作", Help: strings.Join(ledger.Sections, "、")},
		{Header: "所到县", Aliases: []string{"受援县"}, Field: "county_code", Width: 12, List: "county", Example: "绿春县", Help: "结对县；在上海举办的留空"},
		{Header: "地点", Field: "places", Width: 30},
		{Header: "带队领导", Field: "leader", Width: 20},
		{Header: "参加单位", Field: "participants", Width: 30, Help: "多个用“、”分隔"},
		{Header: "参加人员说明", Field: "participants_text", Width: 20},
		{Header: "人数", Field: "headcount", Width: 6},
		{Header: "活动内容", Aliases: []string{"内容", "正文"}, Required: true, Field: "narrative", Width: 60, Help: "简报条目正文"},
	}}
	ProjectSpec = Spec{Kind: ledger.KindProject, Title: "项目", Columns: []Column{
		{Header: "项目名称", Required: true, Field: "title", Width: 36, Example: "白马河村姬松茸种植项目"},
		{Header: "受援县", Required: true, Field: "county_code", Width: 12, List: "county", Example: "金平县"},
		{Header: "乡镇", Field: "township_code", Width: 12, List: "township"},
		{Header: "村", Field: "village_code", Width: 12},
		{Header: "领域", Required: true, Field: "sector", Width: 10, List: "sector", Example: "产业"},
		{Header: "资金来源", Required: true, Field: "funding_source", Width: 18, List: "funding", Example: "上海市财政援助资金", Help: strings.Join(ledger.FundingSources, "、")},
		{Header: "预算(元)", Aliases: []string{"预算", "项目预算"}, Field: "budget", Width: 14, Example: "50万"},
		{Header: "开工日期", Field: "start_on", Width: spreadsheet.DateWidth},
		{Header: "完成时限", Required: true, Field: "deadline", Width: spreadsheet.DateWidth, Example: "2020-11-10"},
		{Header: "进度(%)", Aliases: []string{"进度"}, Field: "progress", Width: 8},
		{Header: "项目状态", Required: true, Field: "work_state", Width: 10, List: "state", Example: "在建", Help: "未开工、在建、已完工"},
		{Header: "完工日期", Field: "completed_on", Width: spreadsheet.DateWidth},
		{Header: "备注", Field: "note", Width: 24},
	}}
	LabourSpec = Spec{Kind: ledger.KindLabour, Title: "劳务协作", Columns: []Column{
		{Header: "开始日期", Aliases: []string{"日期"}, Required: true, Field: "date_from", Width: spreadsheet.DateWidth, Example: "2020年9月1日"},
		{Header: "截止日期", Field: "date_to", Width: spreadsheet.DateWidth},
		{Header: "县", Aliases: []string{"受援县"}, Required: true, Field: "county_code", Width: 12, List: "county", Example: "绿春县"},
		{Header: "类型", Required: true, Field: "kind", Width: 16, List: "labourkind", Example: "转移就业（赴沪）", Help: strings.Join(ledger.LabourKinds, "、")},
		{Header: "培训人数", Field: "trained", Width: 10},
		{Header: "就业人数", Field: "placed", Width: 10, Example: "30"},
		{Header: "其中建档立卡", Aliases: []string{"建档立卡人数"}, Field: "poor_count", Width: 12, Example: "20"},
		{Header: "就业去向", Field: "destination", Width: 20, Example: "上海市长宁区"},
		{Header: "备注", Field: "note", Width: 24},
	}}
	AgreementSpec = Spec{Kind: ledger.KindAgreement, Title: "协议", Columns: []Column{
		{Header: "协议名称", Required: true, Field: "title", Width: 40, Example: "新华路街道与甲寅镇2020年对口帮扶协议"},
		{Header: "签订日期", Required: true, Field: "signed_on", Width: spreadsheet.DateWidth, Example: "2020年9月1日"},
		{Header: "协议金额(元)", Aliases: []string{"协议金额", "金额(元)"}, Field: "pledged", Width: 14, Example: "50万", Help: "未约定金额的留空"},
		{Header: "结对关系", Required: true, Field: "pairing_ids", Width: 40, Example: "新华路街道—红河县甲寅镇", Help: "“东部单位—西部结对方”，须已登记；多个用“、”分隔"},
		{Header: "所属活动", Field: "activity_id", Width: 24},
		{Header: "备注", Field: "note", Width: 24},
	}}
	PairingSpec = Spec{Kind: "pairing", Title: "结对关系", Columns: []Column{
		{Header: "结对类型", Required: true, Field: "kind", Width: 12, List: "pairkind", Example: "携手奔小康", Help: strings.Join(registry.PairingKinds, "、")},
		{Header: "东部单位", Required: true, Field: "east_org_id", Width: 30, Example: "新华路街道"},
		{Header: "共同结对单位", Field: "partners", Width: 30, Help: "几家单位共同结对时填写，用“、”分隔"},
		{Header: "西部结对方", Aliases: []string{"西部单位"}, Required: true, Field: "west", Width: 30, Example: "红河县甲寅镇", Help: "单位名称，或乡镇、村（如 红河县架车乡扎垤村）"},
		{Header: "结对数", Field: "party_count", Width: 8, Help: "一般留空（即1）；简报只报数目、未列名称时填对数，西部结对方填县"},
		{Header: "起始年份", Required: true, Field: "year_from", Width: 10, Example: "2020"},
		{Header: "结束年份", Field: "year_to", Width: 10},
		{Header: "备注", Field: "note", Width: 24},
	}}
	PersonSpec = Spec{Kind: "person", Title: "援派干部人才", Columns: []Column{
		{Header: "姓名", Required: true, Field: "name", Width: 10, Example: "江轶群"},
		{Header: "类别", Required: true, Field: "kind", Width: 18, List: "personkind", Example: "援青干部", Help: strings.Join(registry.PersonKinds, "、")},
		{Header: "派出单位", Required: true, Field: "org_id", Width: 24, Example: "新华路街道"},
		{Header: "派驻地", Required: true, Field: "dest_code", Width: 16, Example: "果洛州", Help: "地区名称、简称或12位代码"},
		{Header: "挂职职务", Field: "post", Width: 20},
		{Header: "任期开始", Field: "term_from", Width: spreadsheet.DateWidth},
		{Header: "任期结束", Field: "term_to", Width: spreadsheet.DateWidth},
		{Header: "备注", Field: "note", Width: 24},
	}}
	BatchSpec = Spec{Kind: ledger.KindBatch, Title: "受益批次", Columns: []Column{
		{Header: "日期", Required: true, Field: "date", Width: spreadsheet.DateWidth, Example: "2020年10月22日"},
		{Header: "县", Aliases: []string{"受援县"}, Required: true, Field: "county_code", Width: 12, List: "county", Example: "绿春县"},
		{Header: "类型", Required: true, Field: "kind", Width: 18, List: "batchkind", Example: "先心病患儿赴沪治疗", Help: strings.Join(ledger.BatchKinds, "、")},
		{Header: "批次", Field: "label", Width: 10, Example: "第三批"},
		{Header: "人数", Required: true, Field: "count", Width: 8, Example: "27"},
		{Header: "计量单位", Required: true, Field: "count_unit", Width: 10, Example: "名患儿"},
		{Header: "所属活动", Field: "activity_id", Width: 24},
		{Header: "备注", Field: "note", Width: 24},
	}}
)

// cells reads one row of a spec, collecting Chinese problems by column.
type cells struct {
	spec Spec
	h    spreadsheet.Header
	row  []string
	res  *resolver
	year int
	// today (YYYY-MM-DD in China, the database's clock) bounds the dates.
	today string
	errs  []string
	// activityRec is the parsed activity, for the same-trip check.
	activityRec *ledger.Activity
}

func (c *cells) bad(col, msg string) { c.errs = append(c.errs, "【"+col+"】"+msg) }
func (c *cells) s(col string) string { return c.h.Cell(c.row, col) }

func (c *cells) date(col string) string {
	v := c.s(col)
	if v == "" {
		return ""
	}
	d, ok := xiezuo.ParseDate(v, c.year)
	if !ok {
		c.bad(col, xiezuo.DateProblem(v))
	}
	return d
}

// dateRange reads a date or range column, and an optional end column.
func (c *cells) dateRange(col, endCol string) (string, string) {
	v := c.s(col)
	from, to, ok := xiezuo.ParseDateRange(v, c.year)
	if v != "" && !ok {
		c.bad(col, "“"+v+"”不是有效日期")
	}
	if end := c.date(endCol); end != "" {
		to = end
	}
	return from, to
}

// count reads a non-negative whole number (Excel may store 286 as 286.0).
func (c *cells) count(col string) int64 {
	v := strings.ReplaceAll(spreadsheet.Normalize(c.s(col)), ",", "")
	if v == "" {
		return 0
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f != float64(int64(f)) || f < 0 {
		c.bad(col, "“"+v+"”应为非负整数")
		return 0
	}
	return int64(f)
}

func (c *cells) county(col string) string {
	v := c.s(col)
	if v == "" {
		return ""
	}
	code, err := c.res.county(v)
	if err != nil {
		c.bad(col, err.Error())
	}
	return code
}

func (c *cells) place(col, parent string, level int) string {
	v := c.s(col)
	if v == "" || parent == "" {
		return ""
	}
	code, err := c.res.place(v, parent, level)
	if err != nil {
		c.bad(col, err.Error())
	}
	return code
}

// choice maps a label to its code, or reports the column.
func (c *cells) choice(col string, choices []ledger.Choice) string {
	v := spreadsheet.Normalize(c.s(col))
	for _, ch := range choices {
		if v == ch.Label || v == ch.Code {
			return ch.Code
		}
	}
	labels := make([]string, len(choices))
	for i, ch := range choices {
		labels[i] = ch.Label
	}
	c.bad(col, "“"+v+"”无效，应为 "+strings.Join(labels, "、"))
	return ""
}

// check folds the record's own validation into the row's problems.
func (c *cells) check(err error) {
	fields := xiezuo.ErrorFields(err)
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		c.bad(columnOf(c.spec, k), fields[k])
	}
}

func (c *cells) activity(col string) int64 {
	v := c.s(col)
	if v == "" {
		return 0
	}
	id, err := c.res.activity(v)
	if err != nil {
		c.bad(col, err.Error())
	}
	return id
}

// parseRecord reads one row of spec into a save function.
func parseRecord(c *cells, unit int64) func(context.Context, *store.DB, *xiezuo.User) (int64, error) {
	h := ledger.Header{UnitID: unit}
	switch c.spec.Kind {
	case ledger.KindActivity:
		a := &ledger.Activity{Header: h, Title: c.s("标题"), Kind: c.s("类型"), Section: c.s("简报栏目"), Places: c.s("地点"),
			Leader: c.s("带队领导"), ParticipantsText: c.s("参加人员说明"), Narrative: c.s("活动内容")}
		a.DateFrom, a.DateTo = c.dateRange("开始日期", "截止日期")
		a.CountyCode = c.county("所到县")
		a.Headcount = c.count("人数")
		for _, n := range splitList(c.s("参加单位")) {
			o, err := c.res.org(n)
			if err != nil {
				c.bad("参加单位", err.Error())
			}
			a.Participants = append(a.Participants, o)
		}
		if len(c.errs) == 0 {
			c.check(a.Validate(c.today))
		}
		c.activityRec = a
		return func(ctx context.Context, db *store.DB, u *xiezuo.User) (int64, error) {
			err := db.SaveActivity(ctx, u, a)
			return a.ID, err
		}
	case ledger.KindProject:
		p := &ledger.Project{Header: h, Title: c.s("项目名称"), FundingSource: c.s("资金来源"), Note: c.s("备注")}
		p.CountyCode = c.county("受援县")
		p.TownshipCode = c.place("乡镇", p.CountyCode, registry.LevelTownship)
		parent := p.TownshipCode
		if parent == "" {
			parent = p.CountyCode
		}
		p.VillageCode = c.place("村", parent, registry.LevelVillage)
		p.Sector = c.choice("领域", ledger.Sectors)
		if v := c.s("预算(元)"); v != "" {
			if n, ok := xiezuo.ParseYuan(v); ok {
				p.BudgetFen = n
			} else {
				c.bad("预算(元)", "“"+v+"”不是金额")
			}
		}
		p.StartOn, p.Deadline, p.CompletedOn = c.date("开工日期"), c.date("完成时限"), c.date("完工日期")
		p.Progress = int(c.count("进度(%)"))
		p.WorkState = c.choice("项目状态", ledger.ProjectStates)
		if len(c.errs) == 0 {
			c.check(p.Validate(c.today))
		}
		return func(ctx context.Context, db *store.DB, u *xiezuo.User) (int64, error) {
			err := db.SaveProject(ctx, u, p)
			return p.ID, err
		}
	case ledger.KindLabour:
		l := &ledger.LabourRecord{Header: h, Kind: c.s("类型"), Destination: c.s("就业去向"), Note: c.s("备注")}
		l.DateFrom, l.DateTo = c.dateRange("开始日期", "截止日期")
		l.CountyCode = c.county("县")
		l.Trained, l.Placed, l.PoorCount = c.count("培训人数"), c.count("就业人数"), c.count("其中建档立卡")
		if len(c.errs) == 0 {
			c.check(l.Validate(c.today))
		}
		return func(ctx context.Context, db *store.DB, u *xiezuo.User) (int64, error) {
			err := db.SaveLabour(ctx, u, l)
			return l.ID, err
		}
	case ledger.KindAgreement:
		a := &ledger.Agreement{Header: h, Title: c.s("协议名称"), Note: c.s("备注")}
		a.SignedOn = c.date("签订日期")
		if v := c.s("协议金额(元)"); v != "" {
			if n, ok := xiezuo.ParseYuan(v); ok {
				a.PledgedFen = n
			} else {
				c.bad("协议金额(元)", "“"+v+"”不是金额")
			}
		}
		for _, p := range splitList(c.s("结对关系")) {
			id, err := c.res.pairing(p)
			if err != nil {
				c.bad("结对关系", err.Error())
			}
			a.PairingIDs = append(a.PairingIDs, id)
		}
		a.ActivityID = c.activity("所属活动")
		if len(c.errs) == 0 {
			c.check(a.Validate(c.today))
		}
		return func(ctx context.Context, db *store.DB, u *xiezuo.User) (int64, error) {
			err := db.SaveAgreement(ctx, u, a)
			return a.ID, err
		}
	case "pairing":
		p := &registry.Pairing{Kind: c.s("结对类型"), Note: c.s("备注")}
		if o, err := c.res.org(c.s("东部单位")); err != nil {
			c.bad("东部单位", err.Error())
		} else {
			p.EastOrgID = o.ID
		}
		for _, n := range splitList(c.s("共同结对单位")) {
			if o, err := c.res.org(n); err != nil {
				c.bad("共同结对单位", err.Error())
			} else {
				p.Partners = append(p.Partners, registry.Party{ID: o.ID})
			}
		}
		p.PartyCount = int(c.count("结对数"))
		if v := c.s("西部结对方"); v != "" {
			var err error
			if p.WestOrgID, p.WestRegionCode, err = c.res.westParty(v, p.PartyCount); err != nil {
				c.bad("西部结对方", err.Error())
			}
		}
		p.YearFrom, p.YearTo = int(c.count("起始年份")), int(c.count("结束年份"))
		if len(c.errs) == 0 {
			c.check(p.Validate())
		}
		return func(ctx context.Context, db *store.DB, u *xiezuo.User) (int64, error) {
			err := db.SavePairing(ctx, u, p)
			return p.ID, err
		}
	case "person":
		p := &registry.Person{Name: c.s("姓名"), Kind: c.s("类别"), Post: c.s("挂职职务"), Note: c.s("备注")}
		if o, err := c.res.org(c.s("派出单位")); err != nil {
			c.bad("派出单位", err.Error())
		} else {
			p.OrgID = o.ID
		}
		if v := c.s("派驻地"); v != "" {
			code, err := c.res.region(v)
			if err != nil {
				c.bad("派驻地", err.Error())
			}
			p.DestCode = code
		}
		p.TermFrom, p.TermTo = c.date("任期开始"), c.date("任期结束")
		if len(c.errs) == 0 {
			c.check(p.Validate())
		}
		return func(ctx context.Context, db *store.DB, u *xiezuo.User) (int64, error) {
			err := db.SavePerson(ctx, u, p)
			return p.ID, err
		}
	default: // ledger.KindBatch
		b := &ledger.Batch{Header: h, Kind: c.s("类型"), Label: c.s("批次"), CountUnit: c.s("计量单位"), Note: c.s("备注")}
		b.Date = c.date("日期")
		b.CountyCode = c.county("县")
		b.Count = c.count("人数")
		b.ActivityID = c.activity("所属活动")
		if len(c.errs) == 0 {
			c.check(b.Validate(c.today))
		}
		return func(ctx context.Context, db *store.DB, u *xiezuo.User) (int64, error) {
			err := db.SaveBatch(ctx, u, b)
			return b.ID, err
		}
	}
}

// rowKey fingerprints a row by its spec's cells (normalized) and its unit,
// so the same row imported again, from any file, is recognised.
func rowKey(spec Spec, h spreadsheet.Header, row []string, unit int64) string {
	sum := sha256.New()
	sum.Write([]byte(strconv.FormatInt(unit, 10)))
	for _, c := range spec.Columns {
		sum.Write([]byte{0x1f})
		sum.Write([]byte(spreadsheet.Normalize(h.Cell(row, c.Header))))
	}
	return hex.EncodeToString(sum.Sum(nil))[:32]
}

// Records imports a file of one of the low-volume kinds (spec): every row
// is parsed first; the rows are then written through the services.
func Records(ctx context.Context, db *store.DB, u *xiezuo.User, spec Spec, name string, r io.ReaderAt, size int64, opt Options) (*store.ImportBatch, error) {
	if !ledger.CanImport(u, spec.Kind, 0) {
		return nil, xiezuo.Errorf(xiezuo.EFORBIDDEN, "当前账号不能导入%s", spec.Title)
	}
	t, err := openTable(name, r, size, opt, spec)
	if err != nil {
		return nil, err
	}
	defer t.rd.Close()
	res, err := newResolver(ctx, db, u)
	if err != nil {
		return nil, err
	}
	const maxRows = 20000
	var rows []store.BatchRow
	for {
		row, line, err := t.next()
		if err == io.EOF {
			break
		} else if err != nil {
			return nil, err
		}
		if len(rows) == maxRows {
			return nil, fileError("此类记录一次最多导入 20,000 行，请拆分文件")
		}
		c := &cells{spec: spec, h: t.h, row: row, res: res, year: opt.DefaultYear, today: db.Today()}
		save := parseRecord(c, u.OrgID)
		rr := store.BatchRow{Line: line, Cells: row, Err: strings.Join(c.errs, "；"), Key: rowKey(spec, t.h, row, u.OrgID)}
		if c.activityRec != nil && rr.Err == "" {
			// The same trip reported by another report: held for the office.
			if same, err := db.SameTrip(ctx, u, c.activityRec); err == nil && len(same) > 0 {
				rec, _ := json.Marshal(c.activityRec)
				rr.DuplicateOf, rr.Record = same[0].ID, string(rec)
			}
		}
		rr.Save = func(ctx context.Context, u *xiezuo.User) (int64, error) { return save(ctx, db, u) }
		rows = append(rows, rr)
	}
	b := t.batch(name, opt, spec.Kind)
	if err := db.Import(ctx, u, b, sliceRows(rows), opt.Progress); err != nil {
		return nil, err
	}
	return refusal(b)
}

// sliceRows yields rows one by one, then io.EOF.
func sliceRows(rows []store.BatchRow) func() (store.BatchRow, error) {
	return func() (store.BatchRow, error) {
		if len(rows) == 0 {
			return store.BatchRow{}, io.EOF
		}
		r := rows[0]
		rows = rows[1:]
		return r, nil
	}
}
