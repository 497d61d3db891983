package store_test

import (
	"bytes"
	"testing"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/internal/testdb"
	"github.com/xiezuo/xiezuo/ledger"
	"github.com/xiezuo/xiezuo/store"
)

func TestPhotos(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, db *store.DB) {
		unit, other, viewer, admin := user(t, db, "chengjiaqiao"), user(t, db, "xinhualu"), user(t, db, "viewer"), user(t, db, "admin")
		a := &ledger.Activity{Header: ledger.Header{UnitID: unit.OrgID}, Kind: "捐赠仪式", Title: "捐赠仪式", DateFrom: "2021-04-01",
			Section: "扶贫协作", CountyCode: lvchun, Narrative: "举行捐赠仪式。"}
		if err := db.SaveActivity(ctx, unit, a); err != nil {
			t.Fatal(err)
		}
		img := testdb.PNG(t)
		_, err := db.AddPhoto(ctx, unit, a.ID, "说明", []byte("not an image at all"))
		wantCode(t, err, xiezuo.EINVALID)
		_, err = db.AddPhoto(ctx, other, a.ID, "", img)
		wantCode(t, err, xiezuo.ENOTFOUND)
		ph, err := db.AddPhoto(ctx, unit, a.ID, "捐赠仪式现场", img)
		if err != nil || ph.ContentType != "image/png" {
			t.Fatalf("AddPhoto = %+v, %v", ph, err)
		}
		if _, err := db.Photos(ctx, viewer, a.ID); xiezuo.ErrorCode(err) != xiezuo.ENOTFOUND {
			t.Fatalf("viewer sees a draft's photos: %v", err)
		}
		got, err := db.PhotoData(ctx, unit, a.ID, ph.ID)
		if err != nil || !bytes.Equal(got.Data, img) || got.Caption != "捐赠仪式现场" {
			t.Fatalf("PhotoData = %v", err)
		}
		for _, step := range []struct {
			u *xiezuo.User
			a ledger.Action
		}{{unit, ledger.ActionSubmit}, {admin, ledger.ActionApprove}} {
			if err := db.Transition(ctx, step.u, ledger.KindActivity, a.ID, step.a, ""); err != nil {
				t.Fatal(err)
			}
		}
		_, err = db.AddPhoto(ctx, unit, a.ID, "", img)
		wantCode(t, err, xiezuo.EFORBIDDEN)
		wantCode(t, db.DeletePhoto(ctx, unit, a.ID, ph.ID), xiezuo.EFORBIDDEN)
		if ps, err := db.Photos(ctx, viewer, a.ID); err != nil || len(ps) != 1 {
			t.Fatalf("viewer photos of approved activity: %d, %v", len(ps), err)
		}
		if _, err := db.VerifyAudit(ctx, user(t, db, "admin")); err != nil {
			t.Fatal(err)
		}
	})
}
