// Package timeline keeps the steps of a rectification item or a problem on
// the record: what happened, who did it, and the reason or note they gave.
// The audit trail has the full before and after; the timeline is what the
// object's page shows.
package timeline

import (
	"context"
	"time"

	"concord/internal/db"
)

// Event is one step.
type Event struct {
	ID         int64     `json:"id"`
	ObjectType string    `json:"object_type"`
	ObjectID   int64     `json:"object_id"`
	Kind       string    `json:"kind"`
	Note       string    `json:"note"`
	Actor      string    `json:"actor"`
	At         time.Time `json:"at"`
}

// Add records a step in the caller's transaction.
func Add(ctx context.Context, q db.Querier, e Event) error {
	_, err := q.ExecContext(ctx, `INSERT INTO supervision_events (object_type, object_id, kind, note, actor, created_at) VALUES ($1,$2,$3,$4,$5,$6)`,
		e.ObjectType, e.ObjectID, e.Kind, e.Note, e.Actor, e.At)
	return err
}

// List returns an object's steps, oldest first.
func List(ctx context.Context, q db.Querier, objectType string, objectID int64) ([]Event, error) {
	return db.All(ctx, q, func(row db.Scanner) (Event, error) {
		var e Event
		err := row.Scan(&e.ID, &e.ObjectType, &e.ObjectID, &e.Kind, &e.Note, &e.Actor, &e.At)
		e.At = e.At.UTC()
		return e, err
	}, `SELECT id, object_type, object_id, kind, note, actor, created_at FROM supervision_events WHERE object_type = $1 AND object_id = $2 ORDER BY id`, objectType, objectID)
}
