package web_test

// arPlanUICases are arCases for the pages' forms of plans, tasks and reports.
func arPlanUICases() map[string]func(f *fixture) arCall {
	return map[string]func(f *fixture) arCall{}
}
