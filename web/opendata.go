package web

import (
	"bytes"
	"net/http"
	"time"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/iati"
)

// iatiExport serves the approved ledger as IATI 2.03 XML.
func (s *Server) iatiExport(w http.ResponseWriter, r *http.Request, u *xiezuo.User) error {
	d, err := s.DB.LoadOpenData(r.Context())
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := iati.Write(&buf, d, time.Now()); err != nil {
		return xiezuo.Internal(err)
	}
	w.Header().Set("Content-Type", "application/xml; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="xiezuo-iati.xml"`)
	w.Write(buf.Bytes())
	return nil
}
