package demo

import (
	"fmt"
	"strings"

	"github.com/xiezuo/xiezuo/market"
	"github.com/xiezuo/xiezuo/registry"
	"github.com/xiezuo/xiezuo/store"
)

// The seed's 832 work in small (issue 12, item 2): 区财政局 opens twelve
// budget units' management and purchaser accounts from one sheet, as it imported 300 units and 305 purchasers, and some of them
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

// buyerAccounts opens the sheet's accounts as 区财政局, row by row through
// the store call the accounts import makes for each row (package imports
// cannot be used here: its tests load the demo), and activates the marked
// ones through the activation page's store call.
func (l *loader) buyerAccounts() error {
	ctx, db := l.ctx, l.db
	sup, err := db.UserByName(ctx, "caizheng")
	if err != nil {
		return err
	}
	kinds := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(demoBuyerSheet), "\n")[1:] {
		active := strings.HasSuffix(line, "*")
		f := strings.Split(strings.TrimSuffix(line, "*"), ",")
		if f[2] != "" {
			kinds[f[0]] = f[2]
		}
		a := &store.NewBuyerAccount{Unit: registry.Organisation{Name: f[0], Kind: kinds[f[0]], USCC: f[1]}, Role: market.AccountKinds[f[4]],
			DisplayName: f[5], Username: f[6], Phone: f[7]}
		if f[3] != "" {
			a.Parent, a.ParentInFile = &registry.Organisation{Name: f[3], Kind: kinds[f[3]]}, true
		}
		_, code, err := db.ImportBuyerAccount(ctx, sup, a)
		if err != nil {
			return fmt.Errorf("采购单位账号 %s: %w", f[6], err)
		}
		if !active {
			continue
		}
		if _, err := db.Activate(ctx, a.Username, code, Password, "127.0.0.1"); err != nil {
			return fmt.Errorf("激活 %s: %w", a.Username, err)
		}
	}
	return nil
}
