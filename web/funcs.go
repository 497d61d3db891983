package web

import (
	"encoding/json"
	"fmt"
	"html/template"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/ledger"
	"github.com/xiezuo/xiezuo/people"
	"github.com/xiezuo/xiezuo/plan"
	"github.com/xiezuo/xiezuo/registry"
	"github.com/xiezuo/xiezuo/store"
)

func init() {
	funcs["localTime"] = xiezuo.LocalTime
	funcs["hostOf"] = func(raw string) string { // a webhook shown without its key
		if u, err := url.Parse(raw); err == nil && u.Host != "" {
			return u.Scheme + "://" + u.Host + "/…"
		}
		return "…"
	}
	funcs["auditSummary"] = auditSummary
	funcs["auditAction"] = auditAction
	funcs["auditActor"] = auditActor
	funcs["amount"] = amount
	funcs["amountFull"] = amountFull
	funcs["place"] = place
	funcs["shortPlace"] = registry.ShortName // plain text, where markup cannot go (an <option>)
	funcs["yearChoices"] = yearChoices
	funcs["splitPara"] = func(s string) []string {
		var out []string
		for _, p := range strings.Split(s, "\n") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
		return out
	}
	funcs["hasLine"] = func(lines string, id int64) bool {
		for _, l := range strings.Split(lines, "\n") {
			if strings.TrimSpace(l) == strconv.FormatInt(id, 10) {
				return true
			}
		}
		return false
	}
	// batchRegister is the register a batch's people belong in, by the
	// batch's kind (ledger.BatchKinds).
	funcs["batchRegister"] = func(kind string) string {
		switch kind {
		case "助学资助":
			return string(people.KindStudent)
		case "培训":
			return string(people.KindTrainee)
		case "慰问":
			return string(people.KindHousehold)
		}
		return string(people.KindPatient)
	}
	funcs["levels"] = func() []int { return []int{1, 2, 3, 4, 5} }
	funcs["batchKind"] = func(kind string) string {
		switch kind {
		case "organisation":
			return "单位名录"
		case "pairing":
			return "结对关系"
		case "person":
			return "援派干部人才"
		case "target":
			return "考核目标"
		}
		return ledger.Kind(kind).Label()
	}
	// fieldErr is the message for field k in a field-error map that may be nil.
	funcs["fieldErr"] = func(m any, k string) string {
		fields, _ := m.(map[string]string)
		return fields[k]
	}
}

// noAmount is how every screen shows an amount that is not there (0 fen):
// a dash, never 0.00 — one rule for contributions, agreements, projects.
const noAmount = `<span class="muted" title="金额未载">—</span>`

// amount shows an amount in a list: 元 with two decimals, or noAmount.
func amount(fen int64) template.HTML {
	if fen == 0 {
		return noAmount
	}
	return template.HTML(xiezuo.FormatYuan(fen))
}

// amountFull shows an amount on a record's page: 28,000.00 元（2.80 万元）,
// or noAmount.
func amountFull(fen int64) template.HTML {
	if fen == 0 {
		return noAmount
	}
	return template.HTML(xiezuo.FormatYuan(fen) + " 元（" + xiezuo.FormatWan(fen) + " 万元）")
}

// place shows a region's official name by one rule: the short name people
// say on screen (金平县), the official name on hover and in print
// (金平苗族瑶族傣族自治县; app.css swaps them for print). Exports write the
// official name.
func place(official string) template.HTML {
	short := registry.ShortName(official)
	if short == official {
		return template.HTML(template.HTMLEscapeString(official))
	}
	o := template.HTMLEscapeString(official)
	return template.HTML(`<span class="place" title="` + o + `"><span class="place-short">` + template.HTMLEscapeString(short) +
		`</span><span class="place-full">` + o + `</span></span>`)
}

// printDate is the date a printed page shows: today in China. Handlers
// take today from the database's clock (DB.Today) instead, so tests can set it.
func printDate() string { return time.Now().In(xiezuo.China).Format(xiezuo.DateLayout) }

// yearChoices are the years offered on the dashboard, newest first.
func yearChoices() []string {
	now := time.Now().In(xiezuo.China).Year()
	var out []string
	for y := now; y >= 2018; y-- {
		out = append(out, strconv.Itoa(y))
	}
	return out
}

// fieldLabels name JSON fields of records in Chinese for the history.
var fieldLabels = map[string]string{
	"date_from": "日期", "date_to": "截止日期", "county_code": "受援县", "township_code": "乡镇", "village_code": "村",
	"institution": "受援机构", "form": "形式", "sector": "领域", "delivery": "认捐/到位", "amount_fen": "金额",
	"quantity": "数量", "quantity_unit": "计量单位", "item": "物资/内容", "beneficiaries": "受益人数", "note": "备注",
	"title": "标题", "kind": "类型", "section": "栏目", "places": "地点", "leader": "带队领导", "narrative": "内容",
	"headcount": "人数", "pledged_fen": "协议金额", "signed_on": "签订日期", "budget_fen": "预算",
	"deadline": "完成时限", "progress": "进度", "work_state": "项目状态", "trained": "培训人数", "placed": "就业人数",
	"poor_count": "建档立卡人数", "count": "人数", "label": "批次", "unit_id": "填报单位", "givers": "帮扶单位",
	"status": "状态", "reason": "理由", "participants": "参加单位", "pairing_ids": "结对关系", "milestones": "节点",
	"member_ids": "具名成员", "other_count": "未具名成员人数", "term_from": "派驻开始", "term_to": "派驻结束",
	"org_id": "单位", "dest_code": "派驻地",
}

// personFieldLabels name a register entry's fields (people.Changed) for
// its history, which keeps the names of the fields changed, not values.
var personFieldLabels = map[string]string{
	"kind": "类别", "name": "姓名", "gender": "性别", "id_number": "身份证号码", "birth_date": "出生日期", "phone": "联系电话",
	"county_code": "县", "village_code": "村", "batch_id": "受益批次", "activity_id": "活动", "project_id": "项目",
	"contribution_id": "帮扶投入", "stage": "救治阶段", "hospital": "医院", "school": "学校", "grade": "年级",
	"donor_org_id": "结对资助单位", "amount_per_term_fen": "每学期资助金额", "course": "培训项目", "placed": "是否就业",
	"employer": "就业单位", "destination": "就业地", "months_employed": "就业月数", "registered": "建档立卡",
	"household_status": "建档立卡状态", "help": "所获帮扶", "note": "备注",
}

// statusLabel is a status as its entity names it: a need's or a match's
// (package plan), else a ledger record's.
func statusLabel(entity, st string) string {
	switch entity {
	case "need":
		return plan.NeedStatus(st).Label()
	case "match":
		return plan.MatchStatus(st).Label()
	}
	return ledger.Status(st).Label()
}

// moneyFields hold fen: the history shows them as 元 (moneyText).
var moneyFields = map[string]bool{"amount_fen": true, "pledged_fen": true, "budget_fen": true}

var skipFields = map[string]bool{"updated_at": true, "created_at": true, "unit_name": true, "county_name": true,
	"members": true, "org_name": true, "dest_name": true, // a team's: its member_ids, org_id and dest_code say it
	"township_name": true, "village_name": true, "activity_title": true, "created_by_name": true, "pairings": true}

// auditAction is an audit entry's action in Chinese.
func auditAction(action string) string {
	switch action {
	case "create":
		return "新建"
	case "update":
		return "修改"
	case "delete":
		return "删除"
	case "submit":
		return "提交审核"
	case "approve":
		return "审核通过"
	case "return":
		return "退回"
	case "reopen":
		return "重新打开"
	case "receive":
		return "确认收到"
	case "add_photo":
		return "上传照片"
	case "delete_photo":
		return "删除照片"
	case "import":
		return "导入"
	case "accept": // plan: a match accepted by one side
		return "接受匹配"
	case "decline":
		return "谢绝匹配"
	case "confirm":
		return "匹配确认"
	case "match":
		return "已匹配"
	case "met":
		return "已满足"
	case "close":
		return "关闭"
	case "deliver":
		return "登记到位"
	case "view": // a register entry: who looked at personal data
		return "查看"
	case "list":
		return "查看名单"
	case "export":
		return "导出名单"
	case "erase":
		return "应本人要求删除个人信息"
	}
	return action
}

// auditActor is who acted, as people know them: the display name with the
// unit (协作办管理员（长宁区…办公室）), the unit left out when the name already
// says it; the login name only when the user has no display name; 系统 for
// the system's own entries.
func auditActor(e store.AuditEntry) string {
	name := e.ActorDisplay
	if name == "" {
		if e.ActorID == 0 && e.ActorName == "system" {
			return "系统"
		}
		name = e.ActorName
	}
	if e.ActorUnit != "" && !strings.Contains(name, e.ActorUnit) {
		name += "（" + e.ActorUnit + "）"
	}
	return name
}

// auditSummary describes an audit entry's change in a line: the fields
// that changed with old → new values.
func auditSummary(e store.AuditEntry) string {
	var before, after map[string]any
	_ = json.Unmarshal([]byte(e.Before), &before)
	_ = json.Unmarshal([]byte(e.After), &after)
	switch e.Action {
	case "create":
		return "新建记录"
	case "delete":
		return "删除记录"
	}
	if fields, ok := after["fields"].([]any); ok { // a register entry: the names of the fields changed, never their values
		names := make([]string, 0, len(fields))
		for _, f := range fields {
			k := fmt.Sprint(f)
			if l := personFieldLabels[k]; l != "" {
				k = l
			}
			names = append(names, k)
		}
		switch {
		case e.Action == "erase":
			return "已清除姓名、证件号码等个人信息，保留匿名记录"
		case len(names) == 0:
			return "未改变内容"
		}
		return "修改了：" + strings.Join(names, "、")
	}
	if e.Action == "view" {
		if full, _ := after["full_id"].(bool); full {
			return "查看（证件号码完整显示）"
		}
		return "查看（证件号码已遮盖）"
	}
	if e.Action != "update" {
		s := ""
		if st, ok := after["status"].(string); ok {
			s = "状态改为：" + statusLabel(e.Entity, st)
		}
		if r, ok := after["reason"].(string); ok && r != "" {
			s += "；理由：" + r
		}
		if at, ok := after["received_at"].(string); ok {
			s = "受援方确认收到，" + xiezuo.LocalTime(at)
		}
		return s
	}
	var keys []string
	for _, m := range []map[string]any{after, before} { // a field emptied may be left out of after
		for k := range m {
			if !skipFields[k] && fmt.Sprint(before[k]) != fmt.Sprint(after[k]) && !slices.Contains(keys, k) {
				keys = append(keys, k)
			}
		}
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		label := fieldLabels[k]
		if label == "" {
			label = k
		}
		show := short
		if moneyFields[k] {
			show = moneyText
		}
		parts = append(parts, label+"："+show(before[k])+" → "+show(after[k]))
	}
	if len(parts) == 0 {
		return "未改变内容"
	}
	return strings.Join(parts, "；")
}

// moneyText shows a JSON amount in fen as 元 with two decimals and
// thousands separators, as lists do: 28,000.00元; none is （空）.
func moneyText(v any) string {
	f, ok := v.(float64)
	if !ok {
		return short(v)
	}
	return xiezuo.FormatYuan(int64(f)) + "元"
}

func short(v any) string {
	if v == nil {
		return "（空）"
	}
	var s string
	switch x := v.(type) {
	case string:
		s = x
	case float64:
		s = strconv.FormatFloat(x, 'f', -1, 64)
	default:
		b, _ := json.Marshal(x)
		s = string(b)
	}
	if r := []rune(s); len(r) > 40 {
		s = string(r[:40]) + "…"
	}
	if s == "" {
		return "（空）"
	}
	return s
}

// auditEntityChoice is one entity kind of the audit log's filter.
type auditEntityChoice struct{ Code, Label string }

// auditEntityChoices are the entities audit entries name: the ledger's
// record kinds, then the others the store writes.
var auditEntityChoices = func() []auditEntityChoice {
	var out []auditEntityChoice
	for _, k := range ledger.Kinds {
		out = append(out, auditEntityChoice{string(k), k.Label()})
	}
	return append(out, []auditEntityChoice{{"bulletin", "简报"}, {"import_batch", "导入批次"}, {"organisation", "单位"}, {"pairing", "结对关系"},
		{"person", "援派干部人才"}, {"rectification", "问题整改"}, {"targets", "考核目标"}, {"regions", "行政区划"}, {"user", "用户"}, {"api_token", "API 令牌"}}...)
}()

func init() {
	funcs["auditEntities"] = func() []auditEntityChoice { return auditEntityChoices }
	funcs["auditEntity"] = func(code string) string {
		for _, c := range auditEntityChoices {
			if c.Code == code {
				return c.Label
			}
		}
		return code
	}
}
