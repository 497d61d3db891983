// Package people holds the registers of the people helped — patients,
// students, trainees and workers, households — and the teams posted west
// (援滇医疗队, 援滇绿春小组, 组团式支教). A register entry is personal data
// (names, ID numbers, health, 建档立卡 status): who may see it, who sees
// the full ID number, who may export or erase it are the rules in
// policy.go; the store enforces them and audits every view. This package
// has no I/O.
package people

import (
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/registry"
)

// Kind is a register: who the entry is.
type Kind string

const (
	KindPatient   Kind = "patient"   // 患者: screening → referred → treated → follow-up
	KindStudent   Kind = "student"   // 受助学生: school, grade, 结对 donor, amount per term
	KindTrainee   Kind = "trainee"   // 培训学员与务工人员: course, placed, employer…
	KindHousehold Kind = "household" // 农户: 建档立卡 status, village, help received
)

// Kinds in display order.
var Kinds = []Kind{KindPatient, KindStudent, KindTrainee, KindHousehold}

// Label is the register's Chinese name.
func (k Kind) Label() string {
	switch k {
	case KindPatient:
		return "患者"
	case KindStudent:
		return "受助学生"
	case KindTrainee:
		return "培训与就业"
	case KindHousehold:
		return "帮扶农户"
	}
	return string(k)
}

// Valid reports whether k is a known register.
func (k Kind) Valid() bool { return slices.Contains(Kinds, k) }

// Choice is a code with its Chinese label.
type Choice struct {
	Code  string `json:"code"`
	Label string `json:"label"`
}

func labelOf(cs []Choice, code string) string {
	for _, c := range cs {
		if c.Code == code {
			return c.Label
		}
	}
	return code
}

func validChoice(cs []Choice, code string) bool {
	for _, c := range cs {
		if c.Code == code {
			return true
		}
	}
	return false
}

// Stages of a patient's care, in order.
var Stages = []Choice{{"screening", "筛查"}, {"referred", "已转诊"}, {"treated", "已治疗"}, {"follow_up", "随访"}}

// HouseholdStatuses are the 建档立卡 states of a household.
var HouseholdStatuses = []Choice{{"poor", "建档立卡贫困户（未脱贫）"}, {"lifted", "建档立卡户（已脱贫）"}, {"edge", "边缘易致贫户"}, {"none", "非建档立卡户"}}

// Genders.
var Genders = []Choice{{"m", "男"}, {"f", "女"}}

// Beneficiary is one person in a register: who they are (personal data),
// where, what helped them (a batch, activity, project or contribution)
// and the fields of their register.
type Beneficiary struct {
	ID             int64  `json:"id"`
	Kind           Kind   `json:"kind"`
	UnitID         int64  `json:"unit_id"` // the unit that keeps the entry
	UnitName       string `json:"unit_name,omitempty"`
	CreatedBy      int64  `json:"created_by,omitempty"`
	CreatedAt      string `json:"created_at,omitempty"`
	UpdatedAt      string `json:"updated_at,omitempty"`
	Name           string `json:"name"`
	Gender         string `json:"gender,omitempty"`
	IDNumber       string `json:"id_number,omitempty"` // masked unless CanSeeFullID
	BirthDate      string `json:"birth_date,omitempty"`
	Phone          string `json:"phone,omitempty"`
	CountyCode     string `json:"county_code,omitempty"`
	CountyName     string `json:"county_name,omitempty"`
	VillageCode    string `json:"village_code,omitempty"`
	VillageName    string `json:"village_name,omitempty"`
	BatchID        int64  `json:"batch_id,omitempty"`
	BatchName      string `json:"batch_name,omitempty"`
	ActivityID     int64  `json:"activity_id,omitempty"`
	ProjectID      int64  `json:"project_id,omitempty"`
	ContributionID int64  `json:"contribution_id,omitempty"`
	// Patient.
	Stage    string `json:"stage,omitempty"`
	Hospital string `json:"hospital,omitempty"`
	// Student.
	School           string `json:"school,omitempty"`
	Grade            string `json:"grade,omitempty"`
	DonorOrgID       int64  `json:"donor_org_id,omitempty"`
	DonorName        string `json:"donor_name,omitempty"`
	AmountPerTermFen int64  `json:"amount_per_term_fen,omitempty"`
	// Trainee or worker.
	Course         string `json:"course,omitempty"`
	Placed         bool   `json:"placed,omitempty"`
	Employer       string `json:"employer,omitempty"`
	Destination    string `json:"destination,omitempty"`
	MonthsEmployed int64  `json:"months_employed,omitempty"`
	Registered     bool   `json:"registered,omitempty"` // 建档立卡 (trainee/worker)
	// Household.
	HouseholdStatus string `json:"household_status,omitempty"`
	Help            string `json:"help,omitempty"`
	Note            string `json:"note,omitempty"`
	// Erased: the personal fields were erased on request (ErasedAt is
	// when); the entry stays, without them, so counts and totals hold.
	ErasedAt string `json:"erased_at,omitempty"`
	// FullID: IDNumber is shown in full (the viewer may see it).
	FullID bool `json:"-"`
}

// Erased reports whether the entry's personal fields were erased.
func (b *Beneficiary) Erased() bool { return b.ErasedAt != "" }

// StageLabel, HouseholdStatusLabel and GenderLabel name the codes.
func (b *Beneficiary) StageLabel() string { return labelOf(Stages, b.Stage) }
func (b *Beneficiary) HouseholdStatusLabel() string {
	return labelOf(HouseholdStatuses, b.HouseholdStatus)
}
func (b *Beneficiary) GenderLabel() string { return labelOf(Genders, b.Gender) }

// StatusLabel is the entry's state in its register, for lists: a
// patient's stage, a trainee's placement, a household's 建档立卡 status.
func (b *Beneficiary) StatusLabel() string {
	switch b.Kind {
	case KindPatient:
		return b.StageLabel()
	case KindTrainee:
		if b.Placed {
			return "已就业"
		}
		return "未就业"
	case KindHousehold:
		return b.HouseholdStatusLabel()
	}
	return ""
}

// Validate checks the fields that need no database; today (YYYY-MM-DD)
// bounds the birth date. A masked ID number (IsMasked) stands for the
// stored one: the store puts that back, or refuses it.
func (b *Beneficiary) Validate(today string) error {
	p := xiezuo.Problems{}
	if !b.Kind.Valid() {
		p.Add("kind", "请选择名册类别")
	}
	p.Text("name", "姓名", &b.Name, 50, true)
	if b.Gender != "" && !validChoice(Genders, b.Gender) {
		p.Add("gender", "性别无效")
	}
	b.IDNumber = NormalizeID(b.IDNumber)
	if b.IDNumber != "" && !IsMasked(b.IDNumber) {
		if msg := IDProblem(b.IDNumber, today); msg != "" {
			p.Add("id_number", msg)
		} else if b.BirthDate == "" {
			b.BirthDate = BirthFromID(b.IDNumber)
		} else if b.BirthDate != BirthFromID(b.IDNumber) {
			p.Add("birth_date", "出生日期与身份证号码不一致")
		}
	}
	if b.BirthDate != "" && (!xiezuo.ValidDate(b.BirthDate) || b.BirthDate < "1900-01-01" || b.BirthDate > today) {
		p.Add("birth_date", "出生日期无效")
	}
	p.Text("phone", "联系电话", &b.Phone, 30, false)
	if b.CountyCode != "" && (!registry.ValidCode(b.CountyCode) || registry.LevelOf(b.CountyCode) != registry.LevelCounty) {
		p.Add("county_code", "县须为县级12位区划代码")
	}
	if b.VillageCode != "" {
		switch {
		case !registry.ValidCode(b.VillageCode) || registry.LevelOf(b.VillageCode) != registry.LevelVillage:
			p.Add("village_code", "村须为村级12位区划代码")
		case b.CountyCode == "":
			b.CountyCode = registry.CountyOf(b.VillageCode)
		case registry.CountyOf(b.VillageCode) != b.CountyCode:
			p.Add("village_code", "所选村不属于所选县")
		}
	}
	if b.BatchID == 0 && b.ActivityID == 0 && b.ProjectID == 0 && b.ContributionID == 0 {
		p.Add("batch_id", "请填写帮助此人的受益批次、活动、项目或帮扶投入（至少一项）")
	}
	switch b.Kind {
	case KindPatient:
		if !validChoice(Stages, b.Stage) {
			p.Add("stage", "请选择救治阶段")
		}
		p.Text("hospital", "医院", &b.Hospital, 100, false)
	case KindStudent:
		p.Text("school", "学校", &b.School, 100, true)
		p.Text("grade", "年级", &b.Grade, 20, false)
		if b.AmountPerTermFen < 0 || b.AmountPerTermFen > 100_000_00 {
			p.Add("amount_per_term", "每学期资助金额应在0至10万元之间")
		}
	case KindTrainee:
		p.Text("course", "培训项目", &b.Course, 100, true)
		p.Text("employer", "就业单位", &b.Employer, 100, false)
		p.Text("destination", "就业地", &b.Destination, 100, false)
		if b.MonthsEmployed < 0 || b.MonthsEmployed > 600 {
			p.Add("months_employed", "就业月数应在0至600之间")
		}
		if !b.Placed && (b.Employer != "" || b.MonthsEmployed > 0) {
			p.Add("placed", "填写了就业单位或就业月数时，请勾选“已就业”")
		}
	case KindHousehold:
		if !validChoice(HouseholdStatuses, b.HouseholdStatus) {
			p.Add("household_status", "请选择建档立卡状态")
		}
		if b.VillageCode == "" {
			p.Add("village_code", "请填写农户所在的村")
		}
		p.Text("help", "所获帮扶", &b.Help, 1000, false)
	}
	p.Text("note", "备注", &b.Note, 1000, false)
	return p.Err()
}

// AuditView is what the audit log keeps of an entry: no personal field —
// only the register, unit, place, links and review-free state — so erasing
// the entry on request leaves nothing personal in the append-only log.
// Changed lists the fields a change touched (personal ones by name only).
func AuditView(b *Beneficiary) map[string]any {
	if b == nil {
		return nil
	}
	return map[string]any{"kind": b.Kind, "unit_id": b.UnitID, "county_code": b.CountyCode, "batch_id": b.BatchID,
		"activity_id": b.ActivityID, "project_id": b.ProjectID, "contribution_id": b.ContributionID, "erased": b.Erased()}
}

// PersonalFields are the fields an erasure clears.
var PersonalFields = []string{"name", "gender", "id_number", "birth_date", "phone", "village_code", "stage", "hospital",
	"school", "grade", "employer", "destination", "household_status", "help", "note"}

// Changed lists the fields that differ between a and b (by name only).
func Changed(a, b *Beneficiary) []string {
	var out []string
	add := func(name string, x, y any) {
		if x != y {
			out = append(out, name)
		}
	}
	add("kind", a.Kind, b.Kind)
	add("name", a.Name, b.Name)
	add("gender", a.Gender, b.Gender)
	add("id_number", a.IDNumber, b.IDNumber)
	add("birth_date", a.BirthDate, b.BirthDate)
	add("phone", a.Phone, b.Phone)
	add("county_code", a.CountyCode, b.CountyCode)
	add("village_code", a.VillageCode, b.VillageCode)
	add("batch_id", a.BatchID, b.BatchID)
	add("activity_id", a.ActivityID, b.ActivityID)
	add("project_id", a.ProjectID, b.ProjectID)
	add("contribution_id", a.ContributionID, b.ContributionID)
	add("stage", a.Stage, b.Stage)
	add("hospital", a.Hospital, b.Hospital)
	add("school", a.School, b.School)
	add("grade", a.Grade, b.Grade)
	add("donor_org_id", a.DonorOrgID, b.DonorOrgID)
	add("amount_per_term_fen", a.AmountPerTermFen, b.AmountPerTermFen)
	add("course", a.Course, b.Course)
	add("placed", a.Placed, b.Placed)
	add("employer", a.Employer, b.Employer)
	add("destination", a.Destination, b.Destination)
	add("months_employed", a.MonthsEmployed, b.MonthsEmployed)
	add("registered", a.Registered, b.Registered)
	add("household_status", a.HouseholdStatus, b.HouseholdStatus)
	add("help", a.Help, b.Help)
	add("note", a.Note, b.Note)
	return out
}

// TeamKinds are the kinds of posted team.
var TeamKinds = []string{"医疗队", "工作组", "组团式支教", "专家团", "其他"}

// Team is a posted team: a sending unit, a destination county, a term and
// its members — named posted people (registry.Person) and, where names are
// not known, a count of the others (both may be unknown yet: Size 0 is
// shown as 人数未登记).
type Team struct {
	ID         int64             `json:"id"`
	Name       string            `json:"name"`
	Kind       string            `json:"kind"`
	OrgID      int64             `json:"org_id"`
	OrgName    string            `json:"org_name,omitempty"`
	DestCode   string            `json:"dest_code"`
	DestName   string            `json:"dest_name,omitempty"`
	TermFrom   string            `json:"term_from"`
	TermTo     string            `json:"term_to,omitempty"`
	MemberIDs  []int64           `json:"member_ids,omitempty"`
	Members    []registry.Person `json:"members,omitempty"`
	OtherCount int64             `json:"other_count"` // members not named
	Note       string            `json:"note,omitempty"`
}

// Size is how many people the team has: its named members and the others.
func (t *Team) Size() int64 { return int64(len(t.MemberIDs)) + t.OtherCount }

// Validate checks the fields that need no database.
func (t *Team) Validate() error {
	p := xiezuo.Problems{}
	p.Text("name", "名称", &t.Name, 100, true)
	if !slices.Contains(TeamKinds, t.Kind) {
		p.Add("kind", "请选择团队类别")
	}
	if t.OrgID <= 0 {
		p.Add("org_id", "请选择派出单位")
	}
	if !registry.ValidCode(t.DestCode) || registry.LevelOf(t.DestCode) > registry.LevelCounty {
		p.Add("dest_code", "请选择派驻县（或州、省）")
	}
	switch {
	case t.TermFrom == "":
		p.Add("term_from", "请填写派驻开始日期")
	case !xiezuo.ValidDate(t.TermFrom):
		p.Add("term_from", "派驻开始日期"+xiezuo.DateProblem(t.TermFrom))
	}
	if t.TermTo != "" && (!xiezuo.ValidDate(t.TermTo) || t.TermTo < t.TermFrom) {
		p.Add("term_to", "派驻结束日期无效或早于开始日期")
	}
	if t.OtherCount < 0 || t.OtherCount > 10000 {
		p.Add("other_count", "未具名成员人数应在0至10000之间")
	}
	seen := map[int64]bool{}
	ids := t.MemberIDs[:0]
	for _, id := range t.MemberIDs {
		if id > 0 && !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	t.MemberIDs = ids
	if utf8.RuneCountInString(strings.TrimSpace(t.Note)) > 1000 {
		p.Add("note", "备注不能超过1000个字")
	}
	return p.Err()
}
