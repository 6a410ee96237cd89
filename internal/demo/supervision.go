package demo

import (
	"fmt"
	"time"

	"concord/internal/bulletin"
	"concord/internal/clock"
	"concord/internal/scores"
)

// scoreModel is the sample assessment model: the measured items the
// supervision cycle records, and the leaders' assessment the office gives.
var scoreModel = scores.ModelInput{Name: "沿海经济带季度考核评价模型（示例）", Total: 100, AppealDays: 10, Items: []scores.Item{
	{Kind: scores.TaskOnTime, Label: "任务按期完成", Weight: 30, Cap: 30},
	{Kind: scores.ReportOnTime, Label: "进展报送及时", Weight: 15, Cap: 10},
	{Kind: scores.ReportComplete, Label: "进展报送完整", Weight: 10, Cap: 10},
	{Kind: scores.ReportReturned, Label: "报告退回率", Weight: 10, Cap: 10},
	{Kind: scores.RectificationOnTime, Label: "整改按期完成", Weight: 15, Cap: 15},
	{Kind: scores.ProblemOnTime, Label: "问题按期解决", Weight: 10, Cap: 10},
	{Kind: scores.Manual, Label: "领导评价", Weight: 10, Cap: 5},
}}

// assessments are the leaders' assessment of the six cities, out of 10.
var assessments = []struct {
	unit   string
	points float64
}{{"dalian", 9}, {"dandong", 8}, {"jinzhou", 8}, {"yingkou", 8.5}, {"panjin", 9}, {"huludao", 6}}

// scoredQuarter is the latest calendar quarter that ended at least 16 days
// before today, so its scorecard, appeal and bulletin all fit before today.
func scoredQuarter(today clock.Date) (from, to clock.Date) {
	t := today.AddDays(-16).Time()
	start := time.Date(t.Year(), t.Month()-(t.Month()-1)%3, 1, 0, 0, 0, 0, time.UTC)
	from = clock.DayOf(start.AddDate(0, -3, 0))
	return from, clock.DayOf(start.AddDate(0, 0, -1))
}

// quarterName is e.g. "2026年第三季度".
func quarterName(from clock.Date) string {
	t := from.Time()
	return fmt.Sprintf("%d年第%s季度", t.Year(), []string{"一", "二", "三", "四"}[(t.Month()-1)/3])
}

// supervision plays the quarter's assessment and bulletin: the office
// scores the quarter and publishes the scorecard; Huludao appeals its
// leaders' assessment and the office upholds it in part (a new revision
// names the appeal); then the office drafts the quarter's bulletin, types
// its good-practice notes and publishes it, ranking and all.
func (s *story) supervision() {
	on := s.today.AddDays
	from, to := scoredQuarter(s.today)
	name := quarterName(from)
	var card scores.Scorecard
	var appeal scores.Appeal
	var draft bulletin.Bulletin
	// The daily chase of problems past their handling deadline, over the
	// weeks the problem list covers.
	for d := on(-60); d.Before(s.today); d = d.AddDays(1) {
		s.at(d, 2, func() error { return s.probs.ChaseOverdue(s.coord(), d) })
	}
	s.at(on(-15), 10, func() error {
		m, err := s.scores.CreateModel(s.coord(), scoreModel)
		if err != nil {
			return err
		}
		card, err = s.scores.CreateScorecard(s.coord(), scores.ScorecardInput{ModelID: m.ID, Title: "沿海经济带" + name + "考核评价（示例）",
			PeriodKind: scores.Quarter, StartsOn: from})
		if err != nil {
			return err
		}
		for _, a := range assessments {
			card, err = s.scores.SetManual(s.coord(), card.ID, scores.ManualInput{UnitID: s.units[a.unit], Position: len(scoreModel.Items),
				Points: a.points, Note: "协调办根据季度工作调度情况评定（示例）"}, card.Version)
			if err != nil {
				return fmt.Errorf("assess %s: %w", a.unit, err)
			}
		}
		return nil
	})
	s.at(on(-14), 10, func() error {
		var err error
		card, err = s.scores.Publish(s.coord(), card.ID, card.Version)
		return err
	})
	s.at(on(-12), 15, func() error {
		var err error
		appeal, err = s.scores.FileAppeal(s.reporter("huludao"), card.ID, scores.AppealInput{UnitID: s.units["huludao"], Position: len(scoreModel.Items),
			Reason: "本季度已补报产业技术创新联盟联合攻关进展并提交工作计划，领导评价未反映整改进展，申请复核。（示例）"})
		return err
	})
	s.at(on(-10), 10, func() error {
		points := 7.0
		var err error
		appeal, err = s.scores.Rule(s.coord(), appeal.ID, scores.Ruling{Uphold: true, Points: &points,
			Reason: "经核实，联合攻关工作计划已于季度内提交，领导评价调整为7分；整改尚未完成部分不予调整。（示例）"}, appeal.Version)
		return err
	})
	s.at(on(-8), 10, func() error {
		var err error
		draft, err = s.bulls.Create(s.coord(), bulletin.Input{Title: "关于沿海经济带" + name + "工作落实情况的督查通报（示例）",
			Number: fmt.Sprintf("辽沿海办督〔%d〕%d号（示例）", on(-8).Time().Year(), (from.Time().Month()-1)/3+1),
			Issuer: "辽宁沿海经济带协调办公室", Lang: "zh-Hans", PeriodFrom: from, PeriodTo: to})
		return err
	})
	s.at(on(-7), 16, func() error {
		in := bulletin.Input{Title: draft.Title, Number: draft.Number, Issuer: draft.Issuer, Lang: draft.Lang, PeriodFrom: draft.PeriodFrom, PeriodTo: draft.PeriodTo,
			Notes: "大连市建立临港产业项目周调度、月通报制度，进展数据与项目台账逐月核对，报送准确率明显提高。（示例）\n" +
				"营口市、盘锦市就大辽河口跨界断面建立联合监测和会商机制，主动提请协调统一考核口径。（示例）\n" +
				"锦州市对督查发现的逾期报送问题举一反三，明确每项任务的报送责任人和复核人。（示例）"}
		var err error
		draft, err = s.bulls.Update(s.coord(), draft.ID, in, draft.Version)
		return err
	})
	s.at(on(-5), 10, func() error {
		_, err := s.bulls.Publish(s.coord(), draft.ID, draft.Version)
		return err
	})
}
