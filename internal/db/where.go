package db

import (
	"strconv"
	"strings"
)

// Where gathers a query's WHERE conditions and their arguments, written
// with ? placeholders and numbered $1, $2, … as they are added.
type Where struct {
	conds []string
	Args  []any
}

// Add appends cond. The i-th ? stands for the i-th argument; given one
// argument, every ? stands for it (`a = ? OR b = ?` with one value).
func (w *Where) Add(cond string, args ...any) {
	n := len(w.Args)
	w.Args = append(w.Args, args...)
	for i := 0; strings.Contains(cond, "?"); i++ {
		cond = strings.Replace(cond, "?", "$"+strconv.Itoa(n+1+min(i, len(args)-1)), 1)
	}
	w.conds = append(w.conds, cond)
}

// SQL is " WHERE cond AND cond …", or nothing without conditions.
func (w *Where) SQL() string {
	if len(w.conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(w.conds, " AND ")
}
