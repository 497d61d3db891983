package web

import "net/http"

// router registers routes on a ServeMux and remembers their patterns, so a
// test can check that the authorisation matrix covers every one.
type router struct {
	*http.ServeMux
	patterns []string
}

func (m *router) HandleFunc(pattern string, h func(http.ResponseWriter, *http.Request)) {
	m.ServeMux.HandleFunc(pattern, h)
	m.patterns = append(m.patterns, pattern)
}

func (m *router) Handle(pattern string, h http.Handler) {
	m.ServeMux.Handle(pattern, h)
	m.patterns = append(m.patterns, pattern)
}

// Routes lists the pattern of every route, in registration order.
func (s *Server) Routes() []string { return append([]string(nil), s.mux.patterns...) }

// Pattern is the route pattern that would serve r ("" for none).
func (s *Server) Pattern(r *http.Request) string {
	_, p := s.mux.Handler(r)
	return p
}

// editorRoutes registers the form routes of one record kind:
// GET base/new, POST base (create), GET base/{id}/edit, POST base/{id} (update).
func editorRoutes[T any](mux *router, s *Server, e *editor[T]) {
	mux.HandleFunc("GET "+e.base+"/new", s.page(e.newPage(s)))
	mux.HandleFunc("POST "+e.base, s.page(e.submit(s)))
	mux.HandleFunc("GET "+e.base+"/{id}/edit", s.page(e.editPage(s)))
	mux.HandleFunc("POST "+e.base+"/{id}", s.page(e.submit(s)))
}

// routes lists every route of the product in one place.
func (s *Server) routes(mux *router) {
	mux.HandleFunc("GET /healthz", s.healthz)
	mux.HandleFunc("GET /metrics", s.api(s.metricsGet)) // Prometheus; the office admin's session or API token
	mux.Handle("GET /static/", staticFS())

	// Sign-in.
	mux.HandleFunc("GET /login", s.loginPage)
	mux.HandleFunc("POST /login", s.loginPost)
	mux.HandleFunc("POST /logout", s.logout)
	// First sign-in of an account opened with an activation code (消费帮扶
	// buyer accounts: web/market_accounts.go), before anyone is signed in.
	mux.HandleFunc("GET /activate", s.activatePage)
	mux.HandleFunc("POST /activate", s.activatePost)

	// Account care: one's own password and API tokens.
	mux.HandleFunc("GET /account", s.page(s.accountPage))
	mux.HandleFunc("POST /account/password", s.page(s.accountPassword))
	mux.HandleFunc("POST /account/tokens", s.page(s.accountTokenCreate))
	mux.HandleFunc("POST /tokens/{id}/revoke", s.page(s.tokenRevoke))
	mux.HandleFunc("POST /account/email", s.page(s.accountEmail)) // the daily digest's address

	// Reminders (web/remind.go): the outbox (office admin), a unit's webhook.
	mux.HandleFunc("GET /reminders/outbox", s.page(s.outboxPage))
	mux.HandleFunc("GET /reminders/webhook/{org}", s.page(s.webhookPage))
	mux.HandleFunc("POST /reminders/webhook/{org}", s.page(s.webhookSave))
	mux.HandleFunc("POST /reminders/webhook/{org}/test", s.page(s.webhookTest))

	// Pages (signed in).
	mux.HandleFunc("GET /{$}", s.page(s.home))
	mux.HandleFunc("GET /dashboard", s.page(s.dashboardPage))
	mux.HandleFunc("GET /public", s.publicPage)                  // aggregates only, no sign-in
	mux.HandleFunc("GET /export/iati.xml", s.page(s.iatiExport)) // open data (approved records only)
	mux.HandleFunc("GET /scorecard", s.page(s.scorecardPage))
	mux.HandleFunc("GET /scorecard/targets", s.page(s.targetsPage))
	mux.HandleFunc("GET /scorecard/coverage", s.page(s.coveragePage))
	mux.HandleFunc("GET /scorecard/compliance", s.page(s.compliancePage))
	mux.HandleFunc("POST /scorecard/targets", s.page(s.targetsSave))
	mux.HandleFunc("GET /scorecard/targets.xlsx", s.page(s.targetsTemplate))
	mux.HandleFunc("POST /scorecard/targets/import", s.page(s.targetsImport))
	mux.HandleFunc("GET /rectifications", s.page(s.rectificationList))
	mux.HandleFunc("POST /rectifications", s.page(s.rectificationSave))
	mux.HandleFunc("GET /rectifications/{id}", s.page(s.rectificationEdit))
	mux.HandleFunc("POST /rectifications/{id}", s.page(s.rectificationSave))
	mux.HandleFunc("GET /contributions", s.page(s.contributionList))
	mux.HandleFunc("GET /export/{file}", s.page(s.listExport)) // contributions|activities|agreements|projects|labour|batches .xlsx|.csv
	mux.HandleFunc("GET /contributions/{id}", s.page(s.contributionShow))
	editorRoutes(mux, s, s.contributionEditor()) // GET /contributions/new, POST /contributions, GET /contributions/{id}/edit, POST /contributions/{id}
	mux.HandleFunc("POST /contributions/{id}/receive", s.page(s.contributionReceive))
	mux.HandleFunc("GET /receipts", s.page(s.receiptList)) // deliveries waiting for 确认收到 (county users, the office)

	s.marketRoutes(mux) // 消费帮扶: web/market.go
	s.planRoutes(mux)   // 需求与计划: web/plan.go

	mux.HandleFunc("GET /activities", s.page(s.activityList))
	mux.HandleFunc("GET /activities/{id}", s.page(s.activityShow))
	editorRoutes(mux, s, s.activityEditor()) // GET /activities/new, POST /activities, GET /activities/{id}/edit, POST /activities/{id}
	mux.HandleFunc("POST /activities/{id}/photos", s.page(s.photoUpload))
	mux.HandleFunc("GET /activities/{id}/photos/{pid}", s.page(s.photoShow))
	mux.HandleFunc("POST /activities/{id}/photos/{pid}/delete", s.page(s.photoDelete))

	mux.HandleFunc("GET /agreements", s.page(s.agreementList))
	mux.HandleFunc("GET /agreements/{id}", s.page(s.agreementShow))
	editorRoutes(mux, s, s.agreementEditor()) // GET /agreements/new, POST /agreements, GET /agreements/{id}/edit, POST /agreements/{id}

	mux.HandleFunc("GET /projects", s.page(s.projectList))
	mux.HandleFunc("GET /projects/{id}", s.page(s.projectShow))
	editorRoutes(mux, s, s.projectEditor()) // GET /projects/new, POST /projects, GET /projects/{id}/edit, POST /projects/{id}

	mux.HandleFunc("GET /labour", s.page(s.labourList))
	mux.HandleFunc("GET /labour/{id}", s.page(s.labourShow))
	editorRoutes(mux, s, s.labourEditor()) // GET /labour/new, POST /labour, GET /labour/{id}/edit, POST /labour/{id}

	mux.HandleFunc("GET /batches", s.page(s.batchList))
	mux.HandleFunc("GET /batches/{id}", s.page(s.batchShow))
	editorRoutes(mux, s, s.batchEditor()) // GET /batches/new, POST /batches, GET /batches/{id}/edit, POST /batches/{id}

	// Registers of the people helped, posted teams (web/people.go).
	s.peopleRoutes(mux)

	// Bulletins (简报): archive, drafts, editor, publishing; print view and
	// Word file (published issues are public).
	mux.HandleFunc("GET /bulletins", s.page(s.bulletinList))
	mux.HandleFunc("POST /bulletins", s.page(s.bulletinCreate))
	mux.HandleFunc("GET /bulletins/{id}", s.page(s.bulletinShow))
	mux.HandleFunc("POST /bulletins/{id}", s.page(s.bulletinSave))
	mux.HandleFunc("POST /bulletins/{id}/{action}", s.page(s.bulletinAction)) // publish|delete
	mux.HandleFunc("GET /bulletins/{id}/print", s.bulletinPrint)
	mux.HandleFunc("GET /bulletins/{id}/docx", s.bulletinDocx)

	// Import: templates, uploads (background for large files), batch reports.
	mux.HandleFunc("GET /imports", s.page(s.importsPage))
	mux.HandleFunc("POST /imports", s.page(s.importUpload))
	mux.HandleFunc("GET /templates/{kind}", s.page(s.importTemplate))
	mux.HandleFunc("GET /import-jobs/{id}", s.page(s.importJobPage))
	mux.HandleFunc("GET /imports/{id}", s.page(s.importBatchPage))
	mux.HandleFunc("GET /imports/{id}/errors.xlsx", s.page(s.importErrors))
	mux.HandleFunc("POST /imports/{id}/undo", s.page(s.importUndo))
	mux.HandleFunc("POST /imports/{id}/discard", s.page(s.importDiscard))
	mux.HandleFunc("POST /imports/{id}/rows/{line}/{action}", s.page(s.importResolve))

	// Review and deletion of any record kind.
	mux.HandleFunc("POST /records/{kind}/{id}/delete", s.page(s.recordDelete))
	mux.HandleFunc("POST /records/{kind}/{id}/{action}", s.page(s.recordTransition))
	mux.HandleFunc("GET /review", s.page(s.reviewQueue))
	mux.HandleFunc("GET /mine", s.page(s.myRecords))

	// Registry.
	mux.HandleFunc("GET /registry/orgs", s.page(s.orgList))
	mux.HandleFunc("POST /registry/orgs", s.page(s.orgCreate))
	mux.HandleFunc("GET /registry/orgs/{id}", s.page(s.orgEdit))
	mux.HandleFunc("POST /registry/orgs/{id}", s.page(s.orgCreate))
	mux.HandleFunc("GET /registry/pairings", s.page(s.pairingList))
	mux.HandleFunc("POST /registry/pairings", s.page(s.pairingCreate))
	mux.HandleFunc("GET /registry/people", s.page(s.peopleList))
	mux.HandleFunc("POST /registry/people", s.page(s.personCreate))
	mux.HandleFunc("GET /registry/users", s.page(s.userList))
	mux.HandleFunc("POST /registry/users", s.page(s.userCreate))
	mux.HandleFunc("GET /registry/users/{id}", s.page(s.userShow))
	mux.HandleFunc("POST /registry/users/{id}/{action}", s.page(s.userAction)) // reset|disable|enable
	mux.HandleFunc("GET /registry/regions", s.page(s.regionList))
	mux.HandleFunc("GET /audit", s.page(s.auditPage))

	// JSON API (bearer token or session).
	mux.HandleFunc("GET /api/openapi.yaml", s.openapi)
	mux.HandleFunc("GET /api/v1/me", s.api(s.apiMe))
	// Each record kind: GET /api/v1/{kind}s, GET …/{id}, POST (new draft), PUT …/{id}.
	mux.HandleFunc("GET /api/v1/contributions", s.api(s.apiContributions))
	apiRoutes(mux, s, s.contributionEditor())
	mux.HandleFunc("GET /api/v1/activities", s.api(s.apiActivities))
	apiRoutes(mux, s, s.activityEditor())
	mux.HandleFunc("GET /api/v1/agreements", s.api(apiList(s.DB.ListAgreements)))
	apiRoutes(mux, s, s.agreementEditor())
	mux.HandleFunc("GET /api/v1/projects", s.api(apiList(s.DB.ListProjects)))
	apiRoutes(mux, s, s.projectEditor())
	mux.HandleFunc("GET /api/v1/labour", s.api(apiList(s.DB.ListLabour)))
	apiRoutes(mux, s, s.labourEditor())
	mux.HandleFunc("GET /api/v1/batches", s.api(apiList(s.DB.ListBatches)))
	apiRoutes(mux, s, s.batchEditor())
	mux.HandleFunc("POST /api/v1/records/{kind}/{id}/{action}", s.api(s.apiTransition))
	mux.HandleFunc("DELETE /api/v1/records/{kind}/{id}", s.api(s.apiDelete))
	mux.HandleFunc("GET /api/v1/regions", s.api(s.apiRegions))
	mux.HandleFunc("GET /api/v1/orgs", s.api(s.apiOrgs))
	mux.HandleFunc("GET /api/v1/totals/counties", s.api(s.apiCountyTotals))
	mux.HandleFunc("GET /api/v1/dashboard", s.api(s.apiDashboard)) // ?year=&county=&format=csv
}
