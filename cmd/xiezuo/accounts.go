package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strconv"
	"time"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/store"
)

// userCare looks after one account with the machine's authority: passwd
// sets a password, reset issues a one-time code (the user must choose a
// new password when signing in with it), disable and enable stop and
// restore sign-in, sessions and API tokens. Each is audited as “system”.
func userCare(ctx context.Context, action string, args []string) error {
	var name, pw *string
	usage := "xiezuo user " + action + " --username 用户名"
	if action == "passwd" {
		usage += " --password 新密码"
	}
	_, db, err := openDB(ctx, "user "+action, args, 0, usage, func(fs *flag.FlagSet) {
		name = fs.String("username", "", "用户名")
		if action == "passwd" {
			pw = fs.String("password", "", "新密码")
		}
	})
	if err != nil {
		return err
	}
	defer db.Close()
	if *name == "" {
		return errors.New("请用 --username 指定用户\n用法: " + usage)
	}
	u, err := db.UserByName(ctx, *name)
	if err != nil {
		return errors.New(xiezuo.ErrorMessage(err))
	}
	switch action {
	case "passwd":
		err = db.SetPassword(ctx, u.Username, *pw)
		if err == nil {
			fmt.Printf("已为 %s 设置新密码\n", u.Username)
		}
	case "reset":
		var code string
		if code, err = db.ResetPassword(ctx, nil, u.ID); err == nil {
			fmt.Printf("%s 的一次性密码（%d小时内有效，登录后须设置新密码）：\n%s\n", u.Username, int(store.ResetCodeLife.Hours()), code)
		}
	case "disable", "enable":
		if err = db.SetDisabled(ctx, nil, u.ID, action == "disable"); err == nil {
			fmt.Printf("已%s用户 %s\n", map[string]string{"disable": "停用", "enable": "启用"}[action], u.Username)
		}
	}
	if err != nil {
		return errors.New(xiezuo.ErrorMessage(err))
	}
	return nil
}

func tokenCreate(ctx context.Context, args []string) error {
	var name, label *string
	var days *int
	_, db, err := openDB(ctx, "token create", args, 0, "xiezuo token create --user 用户名 [--label 用途] [--days 365]", func(fs *flag.FlagSet) {
		name = fs.String("user", "", "用户名")
		label = fs.String("label", "", "用途（如“市级平台同步”）")
		days = fs.Int("days", 365, "有效天数（最长1825）")
	})
	if err != nil {
		return err
	}
	defer db.Close()
	u, err := db.UserByName(ctx, *name)
	if err != nil {
		return errors.New(xiezuo.ErrorMessage(err))
	}
	if *days <= 0 {
		return errors.New("--days 应为正整数")
	}
	tok, err := db.CreateToken(ctx, nil, u.ID, *label, time.Duration(*days)*24*time.Hour)
	if err != nil {
		return errors.New(xiezuo.ErrorMessage(err))
	}
	fmt.Println(tok)
	return nil
}

func tokenList(ctx context.Context, args []string) error {
	var name *string
	_, db, err := openDB(ctx, "token list", args, 0, "xiezuo token list [--user 用户名]", func(fs *flag.FlagSet) {
		name = fs.String("user", "", "用户名（不填列出全部）")
	})
	if err != nil {
		return err
	}
	defer db.Close()
	var id int64
	if *name != "" {
		u, err := db.UserByName(ctx, *name)
		if err != nil {
			return errors.New(xiezuo.ErrorMessage(err))
		}
		id = u.ID
	}
	toks, err := db.Tokens(ctx, nil, id)
	if err != nil {
		return errors.New(xiezuo.ErrorMessage(err))
	}
	now := time.Now().UTC().Format(time.RFC3339)
	fmt.Println("编号\t用户\t用途\t创建\t到期\t最近使用\t状态")
	for _, t := range toks {
		state := "有效"
		switch {
		case t.RevokedAt != "":
			state = "已吊销"
		case !t.Active(now):
			state = "已过期"
		}
		fmt.Printf("%d\t%s\t%s\t%s\t%s\t%s\t%s\n", t.ID, t.Username, orDash(t.Label), xiezuo.LocalTime(t.CreatedAt), xiezuo.LocalTime(t.ExpiresAt), orDash(xiezuo.LocalTime(t.LastUsed)), state)
	}
	return nil
}

func tokenRevoke(ctx context.Context, args []string) error {
	fs, db, err := openDB(ctx, "token revoke", args, 1, "xiezuo token revoke 令牌编号", nil)
	if err != nil {
		return err
	}
	defer db.Close()
	id, err := strconv.ParseInt(fs.Arg(0), 10, 64)
	if err != nil {
		return fmt.Errorf("令牌编号应为数字：%q", fs.Arg(0))
	}
	if err := db.RevokeToken(ctx, nil, id); err != nil {
		return errors.New(xiezuo.ErrorMessage(err))
	}
	fmt.Printf("已吊销令牌 %d\n", id)
	return nil
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}
