package demo

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/xiezuo/xiezuo/imports"
)

// The seed's 832 work in small (issue 12, item 2): 区财政局 imports twelve
// budget units with their management and purchaser accounts from one
// sheet, as it imported 300 units and 305 purchasers, and some of them
// have activated their accounts (with the demo password), so the
// activation dashboard (/market/accounts) has both kinds to show.

// demoBuyerSheet is the sheet, one row an account; "*" marks an account
// activated in the demo.
const demoBuyerSheet = `预算单位名称,统一社会信用代码,单位类型,主管预算单位,账号类型,姓名,用户名,手机号
长宁区教育局,,委办局,,管理账号,陈明华,jyj-guanli,13801620001*
长宁区教育局,,,,采购人,刘佳,jyj-caigou,13801620002*
长宁区第一中心小学,,学校,长宁区教育局,管理账号,张敏,yzx-guanli,13801620003*
长宁区第一中心小学,,,,采购人,王芳,yzx-caigou,13801620004
长宁区实验幼儿园,,学校,长宁区教育局,管理账号,李静,syy-guanli,13801620005
长宁区实验幼儿园,,,,采购人,赵丽,syy-caigou,13801620006
长宁区卫生健康委员会,,委办局,,管理账号,周强,wjw-guanli,13801620007*
长宁区卫生健康委员会,,,,采购人,吴洁,wjw-caigou,13801620008*
长宁区中心医院,,医院,长宁区卫生健康委员会,管理账号,郑伟,zxyy-guanli,13801620009*
长宁区中心医院,,,,采购人,孙丽华,zxyy-caigou1,13801620010*
长宁区中心医院,,,,采购人,钱勇,zxyy-caigou2,13801620011
长宁区天山社区卫生服务中心,,医院,长宁区卫生健康委员会,管理账号,冯雪,tsws-guanli,13801620012
长宁区天山社区卫生服务中心,,,,采购人,褚红,tsws-caigou,13801620013
新华路街道,,街道,,管理账号,卫东,xhl-guanli,13801620014*
新华路街道,,,,采购人,蒋琳,xhl-caigou,13801620015*
江苏路街道,,街道,,管理账号,沈涛,jsl-guanli,13801620016
江苏路街道,,,,采购人,韩梅,jsl-caigou,13801620017
长宁区总工会,,工会,,管理账号,杨帆,zgh-guanli,13801620018*
长宁区总工会,,,,采购人,朱玲,zgh-caigou,13801620019*
长宁区民政局,,委办局,,管理账号,秦岭,mzj-guanli,13801620020*
长宁区民政局,,,,采购人,尤佳,mzj-caigou,13801620021
长宁区绿化和市容管理局,,委办局,,管理账号,许诺,lhj-guanli,13801620022
长宁区绿化和市容管理局,,,,采购人,何琪,lhj-caigou,13801620023
长宁区文化和旅游局,,委办局,,管理账号,吕晨,wlj-guanli,13801620024*
长宁区文化和旅游局,,,,采购人,施慧,wlj-caigou,13801620025
`

// buyerAccounts imports the sheet as 区财政局 and activates the marked
// accounts through the activation page's store call.
func (l *loader) buyerAccounts() error {
	ctx, db := l.ctx, l.db
	sup, err := db.UserByName(ctx, "caizheng")
	if err != nil {
		return err
	}
	active := map[string]bool{}
	var sheet strings.Builder
	for i, line := range strings.Split(strings.TrimSpace(demoBuyerSheet), "\n") {
		if strings.HasSuffix(line, "*") {
			line = strings.TrimSuffix(line, "*")
			f := strings.Split(line, ",")
			active[f[6]] = true
		}
		if i == 0 {
			sheet.WriteString("采购单位账号\n") // the sheet's title row
		}
		sheet.WriteString(line + "\n")
	}
	data := []byte(sheet.String())
	b, codes, err := imports.BuyerAccounts(ctx, db, sup, "预算单位账号.csv", bytes.NewReader(data), int64(len(data)), imports.Options{Mode: "all"})
	if err != nil {
		return fmt.Errorf("采购单位账号: %w", err)
	}
	if int(b.Imported) != len(codes) || len(codes) != strings.Count(demoBuyerSheet, "\n")-1 {
		return fmt.Errorf("采购单位账号: 导入 %d 个，激活码 %d 个", b.Imported, len(codes))
	}
	for _, c := range codes {
		if !active[c.Username] {
			continue
		}
		if _, err := db.Activate(ctx, c.Username, c.Code, Password, "127.0.0.1"); err != nil {
			return fmt.Errorf("激活 %s: %w", c.Username, err)
		}
	}
	return nil
}
