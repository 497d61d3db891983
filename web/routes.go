package web

import "net/http"

// routes lists every route of the product in one place.
func (s *Server) routes(mux *http.ServeMux) {
	mux.HandleFunc("GET /healthz", s.healthz)
	mux.Handle("GET /static/", staticFS())

	// Sign-in.
	mux.HandleFunc("GET /login", s.loginPage)
	mux.HandleFunc("POST /login", s.loginPost)
	mux.HandleFunc("POST /logout", s.logout)

	// Pages (signed in).
	mux.HandleFunc("GET /{$}", s.page(s.home))
	mux.HandleFunc("GET /contributions", s.page(s.contributionList))
	mux.HandleFunc("GET /contributions/new", s.page(s.contributionNew))
	mux.HandleFunc("POST /contributions", s.page(s.contributionCreate))
	mux.HandleFunc("GET /contributions/{id}", s.page(s.contributionShow))
	mux.HandleFunc("GET /contributions/{id}/edit", s.page(s.contributionEdit))
	mux.HandleFunc("POST /contributions/{id}", s.page(s.contributionUpdate))
	mux.HandleFunc("POST /contributions/{id}/receive", s.page(s.contributionReceive))

	mux.HandleFunc("GET /activities", s.page(s.activityList))
	mux.HandleFunc("GET /activities/new", s.page(s.activityNew))
	mux.HandleFunc("POST /activities", s.page(s.activityCreate))
	mux.HandleFunc("GET /activities/{id}", s.page(s.activityShow))
	mux.HandleFunc("GET /activities/{id}/edit", s.page(s.activityEdit))
	mux.HandleFunc("POST /activities/{id}", s.page(s.activityUpdate))
	mux.HandleFunc("POST /activities/{id}/photos", s.page(s.photoUpload))
	mux.HandleFunc("GET /activities/{id}/photos/{pid}", s.page(s.photoShow))
	mux.HandleFunc("POST /activities/{id}/photos/{pid}/delete", s.page(s.photoDelete))

	mux.HandleFunc("GET /agreements", s.page(s.agreementList))
	mux.HandleFunc("GET /agreements/new", s.page(s.agreementNew))
	mux.HandleFunc("POST /agreements", s.page(s.agreementCreate))
	mux.HandleFunc("GET /agreements/{id}", s.page(s.agreementShow))
	mux.HandleFunc("GET /agreements/{id}/edit", s.page(s.agreementEdit))
	mux.HandleFunc("POST /agreements/{id}", s.page(s.agreementUpdate))

	mux.HandleFunc("GET /projects", s.page(s.projectList))
	mux.HandleFunc("GET /projects/new", s.page(s.projectNew))
	mux.HandleFunc("POST /projects", s.page(s.projectCreate))
	mux.HandleFunc("GET /projects/{id}", s.page(s.projectShow))
	mux.HandleFunc("GET /projects/{id}/edit", s.page(s.projectEdit))
	mux.HandleFunc("POST /projects/{id}", s.page(s.projectUpdate))

	mux.HandleFunc("GET /labour", s.page(s.labourList))
	mux.HandleFunc("GET /labour/new", s.page(s.labourNew))
	mux.HandleFunc("POST /labour", s.page(s.labourCreate))
	mux.HandleFunc("GET /labour/{id}", s.page(s.labourShow))
	mux.HandleFunc("GET /labour/{id}/edit", s.page(s.labourEdit))
	mux.HandleFunc("POST /labour/{id}", s.page(s.labourUpdate))

	mux.HandleFunc("GET /batches", s.page(s.batchList))
	mux.HandleFunc("GET /batches/new", s.page(s.batchNew))
	mux.HandleFunc("POST /batches", s.page(s.batchCreate))
	mux.HandleFunc("GET /batches/{id}", s.page(s.batchShow))
	mux.HandleFunc("GET /batches/{id}/edit", s.page(s.batchEdit))
	mux.HandleFunc("POST /batches/{id}", s.page(s.batchUpdate))

	// Review and deletion of any record kind.
	mux.HandleFunc("POST /records/{kind}/{id}/delete", s.page(s.recordDelete))
	mux.HandleFunc("POST /records/{kind}/{id}/{action}", s.page(s.recordTransition))
	mux.HandleFunc("GET /review", s.page(s.reviewQueue))
	mux.HandleFunc("GET /mine", s.page(s.myRecords))

	// Registry.
	mux.HandleFunc("GET /registry/orgs", s.page(s.orgList))
	mux.HandleFunc("POST /registry/orgs", s.page(s.orgCreate))
	mux.HandleFunc("GET /registry/pairings", s.page(s.pairingList))
	mux.HandleFunc("POST /registry/pairings", s.page(s.pairingCreate))
	mux.HandleFunc("GET /registry/people", s.page(s.peopleList))
	mux.HandleFunc("POST /registry/people", s.page(s.personCreate))
	mux.HandleFunc("GET /registry/users", s.page(s.userList))
	mux.HandleFunc("POST /registry/users", s.page(s.userCreate))
	mux.HandleFunc("GET /registry/regions", s.page(s.regionList))
	mux.HandleFunc("GET /audit", s.page(s.auditPage))

	// JSON API (bearer token or session).
	mux.HandleFunc("GET /api/openapi.yaml", s.openapi)
	mux.HandleFunc("GET /api/v1/me", s.api(s.apiMe))
	mux.HandleFunc("GET /api/v1/contributions", s.api(s.apiContributions))
	mux.HandleFunc("POST /api/v1/contributions", s.api(s.apiContributionCreate))
	mux.HandleFunc("GET /api/v1/contributions/{id}", s.api(s.apiContribution))
	mux.HandleFunc("PUT /api/v1/contributions/{id}", s.api(s.apiContributionUpdate))
	mux.HandleFunc("GET /api/v1/activities", s.api(s.apiActivities))
	mux.HandleFunc("POST /api/v1/activities", s.api(s.apiActivityCreate))
	mux.HandleFunc("GET /api/v1/activities/{id}", s.api(s.apiActivity))
	mux.HandleFunc("POST /api/v1/records/{kind}/{id}/{action}", s.api(s.apiTransition))
	mux.HandleFunc("DELETE /api/v1/records/{kind}/{id}", s.api(s.apiDelete))
	mux.HandleFunc("GET /api/v1/regions", s.api(s.apiRegions))
	mux.HandleFunc("GET /api/v1/orgs", s.api(s.apiOrgs))
	mux.HandleFunc("GET /api/v1/totals/counties", s.api(s.apiCountyTotals))
}
