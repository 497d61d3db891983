package imports_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/xiezuo/xiezuo/imports"
)

// TestReadRegionsChineseFiles: the region reader takes what offices save:
// GBK CSV with Chinese headers, a title row, full-width digits.
func TestReadRegionsChineseFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "provinces.csv"), gbk("统计用区划代码,名称\n53,云南省\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "cities.csv"), []byte("2023年区划\ncode,name,provinceCode\n５３２５,红河哈尼族彝族自治州,53\n"), 0o644)
	rs, err := imports.ReadRegionsDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 2 || rs[0].Name != "云南省" || rs[1].Code != "532500000000" || rs[1].ParentCode != "530000000000" || rs[1].ShortName != "红河州" {
		t.Fatalf("regions %+v", rs)
	}
	os.WriteFile(filepath.Join(dir, "areas.csv"), []byte("code,name\n532531,绿春县\n"), 0o644)
	if _, err := imports.ReadRegionsDir(dir); err == nil {
		t.Fatal("areas without cityCode accepted")
	}
}
