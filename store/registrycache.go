package store

import (
	"context"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/xiezuo/xiezuo"
	"github.com/xiezuo/xiezuo/registry"
)

// registryCache keeps what nearly every page reads of the registry — the
// paired counties, their townships and the east units, for the filters
// and forms — until registry_version moves. Triggers on organisations,
// pairings and regions move it (migration 00043), so a change made by
// any process, the CLI's imports included, is seen at the next read: one
// primary-key read instead of three joins a request (a tenth of a list
// page's CPU at 64 clients).
type registryCache struct {
	now  atomic.Pointer[registrySnapshot]
	load sync.Mutex // one reload at a time; the others wait for it
}

type registrySnapshot struct {
	version   int64
	counties  []registry.Region       // PairedCounties
	townships []registry.Region       // their townships, without paths
	units     []registry.Organisation // east units, without aliases
}

// readOnceKey marks a context whose registry snapshot is read once
// (ReadRegistryOnce).
type readOnceKey struct{}

// ReadRegistryOnce returns ctx in which the registry is read at most once:
// later calls in it (PairedCounties, PairedTownships, EastUnits) use the
// snapshot the first one read, without asking for registry_version again.
// For a request that does not change the registry (a GET): a list page
// asked three times, three round trips on PostgreSQL.
func ReadRegistryOnce(ctx context.Context) context.Context {
	return context.WithValue(ctx, readOnceKey{}, new(atomic.Pointer[registrySnapshot]))
}

// registry returns the snapshot of the registry's current version, or the
// one ctx has already read (ReadRegistryOnce).
func (d *DB) registry(ctx context.Context) (*registrySnapshot, error) {
	once, _ := ctx.Value(readOnceKey{}).(*atomic.Pointer[registrySnapshot])
	if once == nil {
		return d.readRegistry(ctx)
	}
	if s := once.Load(); s != nil {
		return s, nil
	}
	s, err := d.readRegistry(ctx)
	if err == nil {
		once.Store(s)
	}
	return s, err
}

// readRegistry returns the snapshot of the registry's current version,
// loading it when the version has moved.
func (d *DB) readRegistry(ctx context.Context) (*registrySnapshot, error) {
	var v int64
	if err := d.db.QueryRowContext(ctx, `SELECT n FROM registry_version WHERE id = 1`).Scan(&v); err != nil {
		return nil, xiezuo.Internal(err)
	}
	if s := d.reg.now.Load(); s != nil && s.version == v {
		return s, nil
	}
	d.reg.load.Lock()
	defer d.reg.load.Unlock()
	if s := d.reg.now.Load(); s != nil && s.version == v {
		return s, nil // another caller loaded it meanwhile
	}
	// Read after the version: a change committed meanwhile is in what is
	// read, and moves the version past v for the next caller.
	s := &registrySnapshot{version: v}
	var err error
	if s.counties, err = d.readPairedCounties(ctx); err != nil {
		return nil, err
	}
	if len(s.counties) > 0 {
		codes := make([]string, len(s.counties))
		for i, c := range s.counties {
			codes[i] = c.Code
		}
		if s.townships, err = d.SearchRegions(ctx, RegionFilter{Parents: codes, Limit: 1000, NoPaths: true}); err != nil {
			return nil, err
		}
	}
	if s.units, err = d.FindOrgs(ctx, OrgFilter{Side: registry.SideEast, Limit: 5000, NoAliases: true}); err != nil {
		return nil, err
	}
	d.reg.now.Store(s)
	return s, nil
}

// PairedCounties are the counties of the west parties of 区县结对
// pairings, each once, in the order of the pairings (east party, then
// west party, by name), without Path: the counties the dashboard,
// scorecard, forms and import templates offer. Callers share the slice:
// it is read-only. Anyone may call it. Errors: EINTERNAL.
func (d *DB) PairedCounties(ctx context.Context) ([]registry.Region, error) {
	s, err := d.registry(ctx)
	if err != nil {
		return nil, err
	}
	return slices.Clip(s.counties), nil
}

// PairedTownships lists the townships of the paired counties, without
// their paths, as SearchRegions orders them. Read-only, as
// PairedCounties. Anyone may call it. Errors: EINTERNAL.
func (d *DB) PairedTownships(ctx context.Context) ([]registry.Region, error) {
	s, err := d.registry(ctx)
	if err != nil {
		return nil, err
	}
	return slices.Clip(s.townships), nil
}

// EastUnits lists the east side's organisations (the units that record),
// without aliases, as FindOrgs orders them. Read-only, as
// PairedCounties. Anyone may call it. Errors: EINTERNAL.
func (d *DB) EastUnits(ctx context.Context) ([]registry.Organisation, error) {
	s, err := d.registry(ctx)
	if err != nil {
		return nil, err
	}
	return slices.Clip(s.units), nil
}
