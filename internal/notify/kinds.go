package notify

import (
	"fmt"
	"slices"
)

// Kinds are every kind of notification Concord sends, grouped by what they
// are about, in the order a webhook's form offers them. Notify refuses any
// other kind, so the list cannot fall behind the senders: a capability that
// sends a new kind adds it here and names it in the notifyui catalogue
// ("notifyui.event."+kind).
var Kinds = []string{
	// The supervision cycle of plans and tasks (internal/plans).
	"report.submitted", "report.approved", "report.returned", "report.accepted", "report.help",
	"task.completion_filed", "task.closed", "task.reopened", "task.chase",
	"task.reminder", "milestone.reminder", "report.reminder",
	// Rectification items of inspections (internal/inspect).
	"rectification.opened", "rectification.responded", "rectification.returned", "rectification.closed",
	"rectification.chase.1", "rectification.chase.2", "rectification.chase.3",
	// The problem list (internal/problems).
	"problem.raised", "problem.assigned", "problem.rejected", "problem.responded", "problem.escalated",
	"problem.solved", "problem.reopened",
	"problem.chase.1", "problem.chase.2", "problem.chase.3",
}

// checkKind refuses a kind missing from Kinds.
func checkKind(kind string) error {
	if !slices.Contains(Kinds, kind) {
		return fmt.Errorf("notify: kind %q is not in notify.Kinds", kind)
	}
	return nil
}
