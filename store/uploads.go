package store

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
)

// sniffFile reads what an uploaded file is from its bytes, never from its
// name: its content type (http.DetectContentType) and its SHA-256 (hex),
// which the web serves as its ETag. Activity photos, order files and
// product photos are stored so.
func sniffFile(data []byte) (ctype, sum string) {
	h := sha256.Sum256(data)
	return http.DetectContentType(data), hex.EncodeToString(h[:])
}
