package web_test

// arPlanAPICases are arCases for the JSON routes of plans, tasks and reports.
func arPlanAPICases() map[string]func(f *fixture) arCall {
	return map[string]func(f *fixture) arCall{}
}
