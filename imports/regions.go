package imports

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/xiezuo/xiezuo/registry"
	"github.com/xiezuo/xiezuo/spreadsheet"
)

// regionFiles are the NBS-format tables in load order (parents first) and
// the column naming each row's parent.
var regionFiles = []struct{ glob, parentCol string }{
	{"provinces.*", ""},
	{"cities.*", "provinceCode"},
	{"areas.*", "cityCode"},
	{"streets.*", "areaCode"},
	{"villages*.*", "streetCode"},
}

// regionAliases are Chinese headers accepted for the NBS columns.
var regionAliases = map[string][]string{
	"code": {"代码", "区划代码", "统计用区划代码"}, "name": {"名称", "区划名称"},
	"provinceCode": {"省级代码"}, "cityCode": {"市级代码"}, "areaCode": {"县级代码"}, "streetCode": {"乡级代码"},
}

// ReadRegionsDir reads the NBS-format tables in dir (provinces, cities,
// areas, streets, villages*; .csv in UTF-8 or GBK, or .xlsx; columns found
// by header name below any title rows) and returns the regions, parents
// before children. provinces is required. A code that occurs twice (a
// prefecture-level city without counties, such as 东莞市 4419 and its
// 441900, pads to one 12-digit code) is kept once, at its first level.
func ReadRegionsDir(dir string) ([]registry.Region, error) {
	var out []registry.Region
	seen := map[string]bool{}
	for _, f := range regionFiles {
		paths, _ := filepath.Glob(filepath.Join(dir, f.glob))
		if len(paths) == 0 && f.parentCol == "" {
			return nil, fmt.Errorf("%s 中没有 provinces.csv", dir)
		}
		for _, p := range paths {
			rs, err := readRegionFile(p, f.parentCol)
			if err != nil {
				return nil, err
			}
			for _, r := range rs {
				if !seen[r.Code] {
					seen[r.Code] = true
					out = append(out, r)
				}
			}
		}
	}
	return out, nil
}

func readRegionFile(path, parentCol string) ([]registry.Region, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	st, err := fh.Stat()
	if err != nil {
		return nil, err
	}
	name := filepath.Base(path)
	rd, err := spreadsheet.Open(name, fh, st.Size(), spreadsheet.Options{MaxBytes: 512 << 20})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	defer rd.Close()
	required := []string{"code", "name"}
	if parentCol != "" {
		required = append(required, parentCol)
	}
	h, _, err := rd.FindHeader(required, required, regionAliases)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	var out []registry.Region
	for {
		row, err := rd.Next()
		if errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return nil, fmt.Errorf("%s 第%d行: %w", name, rd.Line(), err)
		}
		if spreadsheet.Blank(row) {
			continue
		}
		code := registry.PadCode(spreadsheet.Normalize(h.Cell(row, "code")))
		rname := h.Cell(row, "name")
		if !registry.ValidCode(code) || rname == "" {
			return nil, fmt.Errorf("%s 第%d行: 代码 %q 或名称无效", name, rd.Line(), h.Cell(row, "code"))
		}
		reg := registry.Region{Code: code, Name: rname, ShortName: registry.ShortName(rname), Level: registry.LevelOf(code)}
		if parentCol != "" {
			reg.ParentCode = registry.PadCode(spreadsheet.Normalize(h.Cell(row, parentCol)))
		}
		out = append(out, reg)
	}
	return out, nil
}
