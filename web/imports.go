package web

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/imports"
	"github.com/xiezuo/xiezuo/ledger"
	"github.com/xiezuo/xiezuo/spreadsheet"
	"github.com/xiezuo/xiezuo/store"
)

// syncImportBytes: uploads up to this size are imported within the request;
// larger ones run in the background while the page shows progress.
const syncImportBytes = 2 << 20

// importJob is an upload being imported in the background.
type importJob struct {
	mu      sync.Mutex
	userID  int64
	file    string
	rows    int
	done    bool
	batchID int64
	errMsg  string
	started time.Time
}

type jobs struct {
	mu sync.Mutex
	m  map[string]*importJob
}

func (j *jobs) add(job *importJob) string {
	b := make([]byte, 12)
	rand.Read(b)
	id := hex.EncodeToString(b)
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.m == nil {
		j.m = map[string]*importJob{}
	}
	for k, old := range j.m { // forget finished jobs after an hour
		if old.done && time.Since(old.started) > time.Hour {
			delete(j.m, k)
		}
	}
	j.m[id] = job
	return id
}

func (j *jobs) get(id string) *importJob {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.m[id]
}

func (s *Server) importsPage(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	return s.renderImports(w, r, u, nil)
}

func (s *Server) renderImports(w http.ResponseWriter, r *http.Request, u *xiezuo.User, formErr error) error {
	if !u.CanRecord() {
		return xiezuo.Errorf(xiezuo.EFORBIDDEN, "当前账号不能导入记录")
	}
	batches, err := s.DB.ImportBatches(r.Context(), u)
	if err != nil {
		return err
	}
	var specs []templateLink
	for _, k := range imports.SpecOrder {
		if !ledger.CanImport(u, imports.Specs[k].Kind, u.OrgID) {
			continue
		}
		specs = append(specs, templateLink{Key: k, Spec: imports.Specs[k]})
	}
	data := map[string]any{"Title": "导入", "Batches": batches, "Specs": specs, "MaxMB": spreadsheet.DefaultMaxBytes >> 20}
	status := http.StatusOK
	if formErr != nil {
		data["Error"] = xiezuo.ErrorMessage(formErr)
		status = statusOf(formErr)
	}
	s.render(w, r, status, "imports", data)
	return nil
}

// templateLink is a template offered on the 导入 page.
type templateLink struct {
	Key string
	imports.Spec
}

func (s *Server) importTemplate(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	spec, ok := imports.Specs[r.PathValue("kind")]
	if !ok {
		return xiezuo.Errorf(xiezuo.ENOTFOUND, "没有该模板")
	}
	setDownload(w, "xlsx", spec.Title+"导入模板")
	return imports.Template(r.Context(), s.DB, w, spec)
}

func contentDisposition(name string) string {
	return `attachment; filename="xiezuo` + path.Ext(name) + `"; filename*=UTF-8''` + urlPathEscape(name) // ASCII fallback keeps the type
}

// uploadedFile saves the file of an upload form (field "file") to a
// temporary file, which done closes and removes. A problem the user can
// mend (a broken upload; no file chosen: missing says what to choose) is
// an EINVALID error to show on the form (formFailed); a body over the
// route's limit is the limit's own error (413).
func uploadedFile(r *http.Request, missing string) (tmp *os.File, name string, size int64, done func(), err error) {
	// The body limit (uploadLimits) is limitBody's: a file over it is
	// refused there, unread when its length is known.
	if err := r.ParseMultipartForm(8 << 20); err != nil {
		if e := tooLarge(r, err); e != nil {
			return nil, "", 0, nil, e
		}
		return nil, "", 0, nil, xiezuo.Errorf(xiezuo.EINVALID, "上传失败：上传不完整，请重新选择文件")
	}
	file, hdr, err := r.FormFile("file")
	if err != nil {
		return nil, "", 0, nil, xiezuo.Errorf(xiezuo.EINVALID, "%s", missing)
	}
	defer file.Close()
	if tmp, err = os.CreateTemp("", "xiezuo-upload-*"+filepath.Ext(hdr.Filename)); err != nil {
		return nil, "", 0, nil, xiezuo.Internal(err)
	}
	done = func() { tmp.Close(); os.Remove(tmp.Name()) }
	if size, err = io.Copy(tmp, file); err != nil {
		done()
		return nil, "", 0, nil, xiezuo.Internal(err)
	}
	return tmp, hdr.Filename, size, done, nil
}

// importUpload receives a file. Small files are imported at once; larger
// ones in the background, with a progress page.
func (s *Server) importUpload(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	if !u.CanRecord() {
		return xiezuo.Errorf(xiezuo.EFORBIDDEN, "当前账号不能导入记录")
	}
	tmp, name, size, done, err := uploadedFile(r, "请选择要导入的文件")
	if err != nil {
		if formFailed(err) {
			return s.renderImports(w, r, u, err)
		}
		return err
	}
	year, _ := strconv.Atoi(r.FormValue("year"))
	kind := r.FormValue("type")
	opt := imports.Options{Mode: r.FormValue("mode"), DryRun: r.FormValue("dry_run") == "1", Approve: r.FormValue("approve") == "1", DefaultYear: year}
	job := &importJob{userID: u.ID, file: name, started: time.Now()}
	s.running.Add(1)
	run := func(ctx context.Context) {
		defer s.running.Done()
		s.metrics.importsRunning.Inc()
		defer s.metrics.importsRunning.Dec()
		defer done()
		opt.Progress = func(n int) { job.mu.Lock(); job.rows = n; job.mu.Unlock() }
		b, err := imports.ByKind(ctx, kind, s.DB, u, name, tmp, size, opt)
		job.mu.Lock()
		defer job.mu.Unlock()
		job.done = true
		if b != nil {
			job.batchID = b.ID
		} else if err != nil {
			job.errMsg = xiezuo.ErrorMessage(err)
			s.logErr(r, err)
		}
	}
	if size <= syncImportBytes {
		run(r.Context())
		if job.batchID == 0 {
			return s.renderImports(w, r, u, xiezuo.Errorf(xiezuo.EINVALID, "%s", job.errMsg))
		}
		http.Redirect(w, r, fmt.Sprintf("/imports/%d", job.batchID), http.StatusSeeOther)
		return nil
	}
	id := s.jobs.add(job)
	// The job outlives the request but not the server (see Close).
	ctx, cancel := context.WithCancel(context.WithoutCancel(r.Context()))
	stop := context.AfterFunc(s.bg, cancel)
	go func() {
		defer cancel()
		defer stop()
		run(ctx)
	}()
	http.Redirect(w, r, "/import-jobs/"+id, http.StatusSeeOther)
	return nil
}

// importJobPage shows a background import's progress; it refreshes itself
// (no JavaScript needed) and leads to the report when done.
func (s *Server) importJobPage(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	job := s.jobs.get(r.PathValue("id"))
	if job == nil || job.userID != u.ID {
		return xiezuo.Errorf(xiezuo.ENOTFOUND, "导入任务不存在或已过期")
	}
	job.mu.Lock()
	rows, done, batch, msg := job.rows, job.done, job.batchID, job.errMsg
	job.mu.Unlock()
	if done && batch != 0 {
		http.Redirect(w, r, fmt.Sprintf("/imports/%d", batch), http.StatusSeeOther)
		return nil
	}
	s.render(w, r, http.StatusOK, "import_job", map[string]any{"Title": "正在导入", "File": job.file, "Rows": rows, "Done": done, "Msg": msg,
		"Seconds": int(time.Since(job.started).Seconds())})
	return nil
}

// batchOf loads the batch named in the path with its problem rows.
func (s *Server) batchOf(r *http.Request, u *xiezuo.User) (*store.ImportBatch, []store.ImportProblem, error) {
	id, err := pathID(r)
	if err != nil {
		return nil, nil, err
	}
	b, err := s.DB.ImportBatchByID(r.Context(), u, id)
	if err != nil {
		return nil, nil, err
	}
	probs, err := s.DB.ImportProblems(r.Context(), u, id)
	return b, probs, err
}

func (s *Server) importBatchPage(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	b, probs, err := s.batchOf(r, u)
	if err != nil {
		return err
	}
	base := kindBase[ledger.Kind(b.Kind)]
	switch {
	case b.Kind == "target":
		base = "/scorecard/targets"
	case b.Kind == store.ProductImportKind:
		base = "/market/products"
	case base == "":
		base = "/registry/orgs"
	}
	s.render(w, r, http.StatusOK, "import_batch", map[string]any{"Title": fmt.Sprintf("导入批次 %d", b.ID), "B": b, "Problems": probs,
		"KeptAll": b.Errors+b.Duplicates <= int64(len(probs)), "Base": base, "CanDiscard": ledger.CanSeeImport(u, b.UserID)})
	return nil
}

func (s *Server) importErrors(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	b, probs, err := s.batchOf(r, u)
	if err != nil {
		return err
	}
	setDownload(w, "xlsx", fmt.Sprintf("导入批次%d_待修改", b.ID))
	fix := probs[:0] // a notice's row was imported: nothing to change
	for _, p := range probs {
		if p.Kind != "notice" {
			fix = append(fix, p)
		}
	}
	return imports.ErrorWorkbook(w, b, fix)
}

func (s *Server) importUndo(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	return s.batchAction(w, r, func(id int64) (string, error) {
		n, err := s.DB.UndoImport(r.Context(), u, id)
		return fmt.Sprintf("已撤销导入批次 %d，删除 %d 条记录", id, n), err
	})
}

// importDiscard removes the hidden rows of an interrupted batch.
func (s *Server) importDiscard(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	return s.batchAction(w, r, func(id int64) (string, error) {
		return fmt.Sprintf("已丢弃中断的导入批次 %d", id), s.DB.DiscardImport(r.Context(), u, id)
	})
}

// batchAction runs an action on the batch in the path, then shows the
// batch with the action's message.
func (s *Server) batchAction(w http.ResponseWriter, r *http.Request, act func(id int64) (string, error)) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	msg, err := act(id)
	if err != nil {
		return err
	}
	s.flash(r, msg)
	http.Redirect(w, r, fmt.Sprintf("/imports/%d", id), http.StatusSeeOther)
	return nil
}

func (s *Server) importResolve(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	line, _ := strconv.ParseInt(r.PathValue("line"), 10, 64)
	keep := r.PathValue("action") == "keep"
	if err := s.DB.ResolveDuplicate(r.Context(), u, id, line, keep); err != nil {
		return err
	}
	if keep {
		s.flash(r, fmt.Sprintf("第%d行已作为新记录保留", line))
	} else {
		s.flash(r, fmt.Sprintf("第%d行已舍弃（与已有记录相同）", line))
	}
	http.Redirect(w, r, fmt.Sprintf("/imports/%d", id), http.StatusSeeOther)
	return nil
}

// listExport writes a list's current filter as .xlsx or .csv:
// /export/{kind}.{xlsx|csv} with the list page's query string.
func (s *Server) listExport(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	kind, format, _ := strings.Cut(r.PathValue("file"), ".")
	if format != "xlsx" && format != "csv" {
		return xiezuo.Errorf(xiezuo.ENOTFOUND, "导出格式应为 .xlsx 或 .csv")
	}
	ctx := r.Context()
	now := time.Now()
	meta := imports.ExportMeta{User: u.DisplayName + "（" + u.Username + "）", At: now}
	// The audit log's head at the export (issue 9, fault 7): on the .xlsx
	// note sheet; a CSV file has no place for it that an import of the
	// file back would not read as a row, so it goes in a response header.
	cp, err := s.DB.AuditCheckpoint(ctx)
	if err != nil {
		return err
	}
	meta.Checkpoint = cp.Short()
	w.Header().Set("X-Xiezuo-Audit-Checkpoint", fmt.Sprintf("seq=%d; hash=%s; at=%s", cp.Seq, cp.Hash, cp.At))
	var t imports.Table
	if kind == "contributions" {
		f := contributionFilter(r.URL.Query())
		if err := f.Validate(); err != nil {
			return err
		}
		meta.Filter = s.filterText(ctx, f)
		setDownload(w, format, "帮扶投入清单_"+now.In(xiezuo.China).Format("20060102"))
		if format == "csv" {
			return imports.ExportContributionsCSV(ctx, s.DB, u, f, w)
		}
		return imports.ExportContributions(ctx, s.DB, u, f, meta, w)
	}
	f := listFilter(r)
	f.Limit = 500
	meta.Filter = s.recordFilterText(ctx, f)
	switch kind {
	case "activities":
		items, _, err := s.DB.ListActivities(ctx, u, f)
		if err != nil {
			return err
		}
		t = imports.ActivityTable(items)
	case "agreements":
		items, err := s.DB.ListAgreements(ctx, u, f)
		if err != nil {
			return err
		}
		t = imports.AgreementTable(items)
	case "projects":
		items, err := s.DB.ListProjects(ctx, u, f)
		if err != nil {
			return err
		}
		t = imports.ProjectTable(items, s.DB.Today())
	case "labour":
		items, err := s.DB.ListLabour(ctx, u, f)
		if err != nil {
			return err
		}
		t = imports.LabourTable(items)
	case "batches":
		items, err := s.DB.ListBatches(ctx, u, f)
		if err != nil {
			return err
		}
		t = imports.BatchTable(items)
	default:
		return xiezuo.Errorf(xiezuo.ENOTFOUND, "没有该清单")
	}
	setDownload(w, format, t.Title+"清单_"+now.In(xiezuo.China).Format("20060102"))
	if format == "csv" {
		return imports.WriteTableCSV(w, t)
	}
	return imports.WriteTable(w, t, meta)
}

func setDownload(w http.ResponseWriter, format, name string) {
	if format == "csv" {
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	} else {
		w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	}
	w.Header().Set("Content-Disposition", contentDisposition(name+"."+format))
}

// recordFilterText describes the smaller lists' filter in words.
func (s *Server) recordFilterText(ctx context.Context, f store.RecordFilter) string {
	var more []string
	if f.Section != "" {
		more = append(more, "栏目："+f.Section)
	}
	if f.Query != "" {
		more = append(more, "关键词："+f.Query)
	}
	return s.filterWords(ctx, nil, f.CountyCode, f.Status, f.From, f.To, more...)
}
