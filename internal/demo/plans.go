package demo

import (
	"fmt"
	"time"

	"concord/internal/clock"
	"concord/internal/plans"
)

// planSpec is a sample plan, made on the day it is adopted and put in force
// the same day.
type planSpec struct {
	code, parent string
	kind         plans.PlanKind
	name, desc   string
	starts, ends clock.Date
	adopted      clock.Date
	closed       clock.Date // zero: still in force
	goals        []goalSpec
	tasks        []*taskSpec
	responsible  bool // the Dalian and Yingkou reporters answer for their units' shares
}

type goalSpec struct{ area, title string }

// taskSpec is a sample task and its plot.
type taskSpec struct {
	code, area, title, topic string
	deliverables, target     string
	indicator, indicatorUnit string
	value                    float64 // target value; 0 for none
	lead                     string
	co                       []string
	starts, due              clock.Date
	cycle                    plans.Cycle
	reportDates              []clock.Date
	plot                     plot
	id                       int64
}

var areaCodes = map[string]string{"planning": "PLN", "industry": "IND", "innovation": "INO", "reform": "REF", "policy": "POL", "environment": "ENV"}

func day(y int, m time.Month, d int) clock.Date { return clock.DateOf(y, m, d) }

// historic plot: reported on schedule, filed a few days before the due
// date and closed two weeks after it.
func closedOnTime(t *taskSpec) *taskSpec {
	t.plot.pace, t.plot.done = 1, true
	t.plot.outcome = append(t.plot.outcome, outcome{kind: "file", on: t.due.AddDays(-3)}, outcome{kind: "close", on: t.due.AddDays(15)})
	return t
}

// threeYearPlan is the 2018–2020 action plan and its 2018 work points, as
// the belt's documents name their tasks; units, dates and figures are
// sample data.
func threeYearPlan() []planSpec {
	q := plans.Quarterly
	action := planSpec{
		code: "LN-2018-2020", kind: plans.ActionPlan, adopted: day(2018, 1, 2),
		name:   "辽宁沿海经济带六城市协同发展行动计划（2018—2020年）（示例数据）",
		desc:   "三年攻坚：目标体系共设、产业协作共融、政策措施共通、园区发展共建、生态环境共治。倒排工期，挂图作战。示例数据，非官方数据。",
		starts: day(2018, 1, 1), ends: day(2020, 12, 31),
		goals: []goalSpec{
			{"planning", "目标体系共设，规划衔接"}, {"industry", "产业协作共融，建设临港产业带"}, {"innovation", "共建创新平台，协同创新"},
			{"reform", "建设自由贸易试验区，深化改革开放"}, {"policy", "政策措施共通，共建营商环境"}, {"environment", "生态环境共治，陆海统筹"},
		},
		tasks: []*taskSpec{
			closedOnTime(&taskSpec{code: "2018-PLN-01", area: "planning", title: "建立六城市协同发展目标指标体系", topic: "协同发展目标指标体系",
				deliverables: "《六城市协同发展指标体系》及年度监测报告", target: "形成覆盖经济、开放、创新、生态的统一指标体系", indicator: "统一监测指标", indicatorUnit: "项", value: 30,
				lead: "ln-drc", co: []string{"dalian", "yingkou"}, starts: day(2018, 1, 1), due: day(2018, 12, 31), cycle: q}),
			closedOnTime(&taskSpec{code: "2018-PLN-02", area: "planning", title: "推进港口资源整合", topic: "港口资源整合",
				deliverables: "港口资源整合方案；整合后的港口集团运营报告", target: "沿海港口统一规划、统一运营", lead: "ln-transport", co: []string{"dalian", "yingkou", "jinzhou"},
				starts: day(2018, 1, 1), due: day(2019, 12, 31), cycle: q, plot: plot{late: "jinzhou"}}),
			closedOnTime(&taskSpec{code: "2018-IND-01", area: "industry", title: "建设大连东北亚国际航运中心", topic: "东北亚国际航运中心",
				deliverables: "航运中心建设年度报告", target: "集装箱航线和吞吐量稳步增长", indicator: "集装箱吞吐量", indicatorUnit: "万标箱", value: 1000,
				lead: "dalian", co: []string{"ln-transport"}, starts: day(2018, 1, 1), due: day(2020, 12, 31), cycle: q, plot: plot{returned: "dalian"}}),
			closedOnTime(&taskSpec{code: "2018-IND-02", area: "industry", title: "发展临港产业，建设临港产业集群", topic: "临港产业集群",
				deliverables: "临港产业重点项目清单及建设进度", target: "形成石化、装备、镁质材料临港产业集群", lead: "yingkou", co: []string{"panjin"},
				starts: day(2018, 4, 1), due: day(2020, 6, 30), cycle: q}),
			{code: "2018-IND-03", area: "industry", title: "培育壮大战略性新兴产业", topic: "战略性新兴产业",
				deliverables: "战略性新兴产业发展年度报告", target: "战略性新兴产业占比逐年提高", indicator: "战略性新兴产业增加值占地区生产总值比重", indicatorUnit: "%", value: 8.5,
				lead: "ln-drc", co: []string{"dalian", "jinzhou"}, starts: day(2018, 1, 1), due: day(2020, 12, 31), cycle: q,
				plot: plot{pace: 0.95, done: true, outcome: []outcome{{kind: "file", on: day(2021, 2, 10)}, {kind: "close", on: day(2021, 3, 1)}}}},
			closedOnTime(&taskSpec{code: "2018-IND-04", area: "industry", title: "发展海洋经济", topic: "海洋经济",
				deliverables: "海洋经济发展示范区建设方案", target: "海洋渔业、海洋装备和滨海旅游协同发展", lead: "dandong", co: []string{"huludao"},
				starts: day(2018, 7, 1), due: day(2020, 12, 31), cycle: q}),
			closedOnTime(&taskSpec{code: "2018-IND-05", area: "industry", title: "开展联合招商引资", topic: "联合招商引资",
				deliverables: "联合招商推介会纪要和签约项目清单", target: "六城市联合招商，避免同质竞争", indicator: "实际利用外资", indicatorUnit: "亿美元", value: 50,
				lead: "ln-commerce", co: []string{"dalian", "yingkou", "dandong"}, starts: day(2018, 1, 1), due: day(2019, 12, 31), cycle: q, plot: plot{late: "dandong"}}),
			closedOnTime(&taskSpec{code: "2018-INO-01", area: "innovation", title: "共建科技创新共享平台", topic: "科技创新共享平台",
				deliverables: "共享平台运行报告", target: "大型科研仪器和创新资源六城市共享", lead: "dalian", co: []string{"jinzhou"},
				starts: day(2018, 7, 1), due: day(2020, 6, 30), cycle: q}),
			closedOnTime(&taskSpec{code: "2018-INO-02", area: "innovation", title: "组建产业技术创新联盟", topic: "产业技术创新联盟",
				deliverables: "联盟章程和联合攻关项目清单", target: "围绕石化、海工装备组建创新联盟", lead: "jinzhou", co: []string{"panjin", "huludao"},
				starts: day(2019, 1, 1), due: day(2020, 12, 31), cycle: q}),
			closedOnTime(&taskSpec{code: "2018-REF-01", area: "reform", title: "建设中国（辽宁）自由贸易试验区大连片区", topic: "自贸试验区大连片区",
				deliverables: "制度创新案例汇编", target: "形成可复制推广的制度创新成果", indicator: "制度创新案例", indicatorUnit: "项", value: 30,
				lead: "dalian", co: []string{"ln-commerce"}, starts: day(2018, 1, 1), due: day(2020, 12, 31), cycle: q}),
			closedOnTime(&taskSpec{code: "2018-REF-02", area: "reform", title: "建设中国（辽宁）自由贸易试验区营口片区", topic: "自贸试验区营口片区",
				deliverables: "制度创新案例汇编", target: "形成可复制推广的制度创新成果", indicator: "制度创新案例", indicatorUnit: "项", value: 20,
				lead: "yingkou", co: []string{"ln-commerce"}, starts: day(2018, 1, 1), due: day(2020, 12, 31), cycle: q}),
			closedOnTime(&taskSpec{code: "2018-REF-03", area: "reform", title: "推进园区整合和共建", topic: "园区整合共建",
				deliverables: "园区整合方案和共建园区协议", target: "整合低效园区，共建合作园区", lead: "panjin", co: []string{"yingkou", "huludao"},
				starts: day(2019, 1, 1), due: day(2020, 12, 31), cycle: q}),
			closedOnTime(&taskSpec{code: "2018-POL-01", area: "policy", title: "深度参与“一带一路”建设", topic: "“一带一路”合作",
				deliverables: "对外合作项目清单", target: "中欧班列、境外园区和国际产能合作取得进展", lead: "ln-commerce", co: []string{"dalian", "yingkou", "dandong"},
				starts: day(2018, 1, 1), due: day(2020, 12, 31), cycle: q}),
			closedOnTime(&taskSpec{code: "2018-POL-02", area: "policy", title: "推进营商环境政策互认", topic: "营商环境政策互认",
				deliverables: "政策互认清单", target: "六城市涉企政策和审批结果互认", lead: "ln-drc", co: []string{"dalian", "panjin"},
				starts: day(2019, 1, 1), due: day(2020, 6, 30), cycle: q}),
			closedOnTime(&taskSpec{code: "2018-ENV-01", area: "environment", title: "建立六城市环境保护联席会议机制", topic: "环境保护联席会议机制",
				deliverables: "联席会议制度和年度会议纪要", target: "建立环境保护联席会议和信息共享机制", lead: "dalian-eco", co: []string{"dandong", "yingkou"},
				starts: day(2018, 1, 1), due: day(2018, 12, 31), cycle: q}),
			closedOnTime(&taskSpec{code: "2018-ENV-02", area: "environment", title: "陆上水域和近海海域共管共治", topic: "辽东湾陆海统筹治理",
				deliverables: "入海河流和近岸海域联合监测报告", target: "入海河流断面和近岸海域水质达到考核目标", indicator: "近岸海域优良水质比例", indicatorUnit: "%", value: 90,
				lead: "panjin", co: []string{"yingkou", "jinzhou"}, starts: day(2018, 7, 1), due: day(2020, 12, 31), cycle: q}),
			closedOnTime(&taskSpec{code: "2018-ENV-03", area: "environment", title: "开展海洋生态修复", topic: "海洋生态修复",
				deliverables: "岸线和滨海湿地修复工程验收材料", target: "修复受损岸线和滨海湿地", lead: "huludao", co: []string{"jinzhou"},
				starts: day(2019, 1, 1), due: day(2020, 12, 31), cycle: q}),
		},
	}
	annual := planSpec{
		code: "LN-2018-WP", parent: action.code, kind: plans.AnnualPlan, adopted: day(2018, 3, 1), closed: day(2019, 2, 20),
		name:   "辽宁沿海经济带2018年工作要点（示例数据）",
		desc:   "三年行动计划2018年度工作要点。示例数据，非官方数据。",
		starts: day(2018, 1, 1), ends: day(2018, 12, 31),
		goals: []goalSpec{{"planning", "建立协同工作机制"}, {"industry", "推动产业和港口合作起步"}, {"environment", "启动近岸海域联防联控"}},
		tasks: []*taskSpec{
			closedOnTime(&taskSpec{code: "2018-WP-01", area: "planning", title: "召开六城市书记市长联席会议", topic: "书记市长联席会议",
				deliverables: "会议纪要和议定事项清单", lead: "dalian", co: []string{"ln-drc"}, starts: day(2018, 3, 1), due: day(2018, 6, 30),
				cycle: plans.Custom, reportDates: []clock.Date{day(2018, 4, 30)}}),
			closedOnTime(&taskSpec{code: "2018-WP-02", area: "planning", title: "编制年度协同发展工作要点", topic: "年度工作要点",
				deliverables: "2018年工作要点", lead: "ln-drc", starts: day(2018, 3, 1), due: day(2018, 4, 30), cycle: plans.Monthly}),
			closedOnTime(&taskSpec{code: "2018-WP-03", area: "industry", title: "开展港口资源整合专题调研", topic: "港口资源整合调研",
				deliverables: "调研报告", lead: "ln-transport", co: []string{"yingkou"}, starts: day(2018, 4, 1), due: day(2018, 9, 30), cycle: q}),
			closedOnTime(&taskSpec{code: "2018-WP-04", area: "environment", title: "推进辽东湾近岸海域污染联防联控", topic: "辽东湾近岸海域联防联控",
				deliverables: "联防联控工作方案", lead: "panjin", co: []string{"huludao"}, starts: day(2018, 3, 1), due: day(2018, 12, 31), cycle: q}),
			closedOnTime(&taskSpec{code: "2018-WP-05", area: "industry", title: "组织六城市联合招商推介活动", topic: "联合招商推介",
				deliverables: "推介会签约项目清单", lead: "ln-commerce", co: []string{"dalian"}, starts: day(2018, 5, 1), due: day(2018, 11, 30), cycle: q}),
		},
	}
	return []planSpec{action, annual}
}

// workYear is the year the current plans start in: this year from July,
// last year before.
func workYear(today clock.Date) int {
	if today.Time().Month() < time.July {
		return today.Time().Year() - 1
	}
	return today.Time().Year()
}

// currentPlans are an action plan and its work points around today: the
// work points start on 1 January at least half a year back and end a year
// and more ahead, so every task's dates, set in days from today, fall
// inside them whatever day the demo is seeded.
func currentPlans(today clock.Date) []planSpec {
	y := workYear(today)
	starts := day(y, 1, 1)
	end5, end2 := day(y+4, 12, 31), day(y+1, 12, 31)
	rel := func(days int) clock.Date {
		d := today.AddDays(days)
		if d.Before(starts) {
			return starts
		}
		if d.After(end2) {
			return end2
		}
		return d
	}
	m := plans.Monthly
	green := plot{pace: 1.1}
	code := func(area string, n int) string { return fmt.Sprintf("%d-%s-%02d", y, areaCodes[area], n) }
	task := func(area string, n int, title, topic, lead string, co []string, from, to int, p plot) *taskSpec {
		if p.pace == 0 {
			p.pace = 1.1
		}
		return &taskSpec{code: code(area, n), area: area, title: title, topic: topic, lead: lead, co: co,
			starts: rel(from), due: rel(to), cycle: m, plot: p,
			deliverables: topic + "工作台账和阶段成果材料", target: "按期完成" + topic + "年度目标"}
	}
	action := planSpec{
		code: fmt.Sprintf("LN-%d-%d", y, y+4), kind: plans.ActionPlan, adopted: starts,
		name:   fmt.Sprintf("辽宁沿海经济带高质量协同发展行动计划（%d—%d年）（示例数据）", y, y+4),
		desc:   "巩固三年攻坚成果，推进沿海经济带高质量协同发展。示例数据，非官方数据。",
		starts: starts, ends: end5,
		goals: []goalSpec{{"planning", "规划一张图，指标同监测"}, {"environment", "近岸海域水质持续改善"}},
		tasks: []*taskSpec{
			{code: fmt.Sprintf("%d-P5-PLN-01", y), area: "planning", title: "编制沿海经济带高质量发展规划纲要", topic: "高质量发展规划纲要",
				deliverables: "规划纲要文本", lead: "ln-drc", co: []string{"dalian"}, starts: starts, due: end2, cycle: plans.Quarterly, plot: green},
			{code: fmt.Sprintf("%d-P5-ENV-01", y), area: "environment", title: "近岸海域优良水质比例稳定在90%以上", topic: "近岸海域水质",
				indicator: "近岸海域优良水质比例", indicatorUnit: "%", value: 90,
				lead: "dalian-eco", co: []string{"panjin", "yingkou"}, starts: starts, due: end5, cycle: plans.Quarterly, plot: green},
		},
	}
	on := func(days int) clock.Date { return today.AddDays(days) }
	wp := planSpec{
		code: fmt.Sprintf("LN-%d-%d-WP", y, y+1), parent: action.code, kind: plans.AnnualPlan, adopted: starts, responsible: true,
		name:   fmt.Sprintf("辽宁沿海经济带%d—%d年工作要点（示例数据）", y, y+1),
		desc:   "年度工作要点，按月报送进展。示例数据，非官方数据。",
		starts: starts, ends: end2,
		goals: []goalSpec{
			{"planning", "规划衔接和监测评估"}, {"industry", "临港产业和石化产业链协同"}, {"innovation", "创新平台共建共享"},
			{"reform", "自贸试验区和港口一体化改革"}, {"policy", "营商环境和人才政策共通"}, {"environment", "陆海统筹生态共治"},
		},
		tasks: []*taskSpec{
			task("industry", 1, "推进临港产业集群建设", "临港产业集群", "yingkou", []string{"panjin"}, -160, 150,
				plot{script: returnedOpen, scriptUnit: "yingkou"}),
			task("industry", 2, "推进石化产业链上下游协同", "石化产业链协同", "panjin", []string{"dalian"}, -175, 100,
				plot{pace: 0.4, script: awaitReview, scriptUnit: "panjin"}),
			task("innovation", 1, "科技创新共享平台二期上线运行", "共享平台二期", "dalian", nil, -170, 5, plot{pace: 1.2, cap: 79}),
			task("planning", 1, "港口集疏运体系规划衔接", "港口集疏运规划衔接", "ln-transport", []string{"jinzhou"}, -170, -20,
				plot{pace: 0.8, silent: "jinzhou", outcome: []outcome{
					{kind: "chase", on: on(-3), unit: "ln-transport", reason: "任务已逾期，请于本周内报送办结材料"},
					{kind: "chase", on: on(-2), unit: "jinzhou", reason: "请尽快补报逾期未报的进展报告"},
				}}),
			task("reform", 1, "自贸试验区制度创新经验复制推广", "制度创新经验复制推广", "dalian", []string{"yingkou"}, -160, 30,
				plot{pace: 1.2, outcome: []outcome{{kind: "file", on: on(-3)}}}),
			task("policy", 1, "政务服务“跨市通办”", "政务服务跨市通办", "ln-drc", []string{"dandong"}, -170, -40,
				plot{pace: 0.9, done: true, outcome: []outcome{{kind: "file", on: on(-12)}}}),
			task("environment", 1, "大辽河入海口综合整治", "大辽河入海口综合整治", "yingkou", []string{"panjin"}, -175, -50,
				plot{pace: 1.1, done: true, outcome: []outcome{{kind: "file", on: on(-56)}, {kind: "close", on: on(-38)}}}),
			task("industry", 3, "海洋牧场示范区建设", "海洋牧场示范区", "dandong", []string{"huludao"}, -150, 60,
				plot{outcome: []outcome{{kind: "file", on: on(-30)}, {kind: "reopen", on: on(-20), reason: "佐证材料不完整，养殖海域确权尚未完成，退回继续办理"}}}),
			task("policy", 2, "六城市人才资质互认", "人才资质互认", "ln-drc", []string{"dalian", "yingkou"}, -160, 90,
				plot{outcome: []outcome{{kind: "cancel", on: on(-45), reason: "并入省级人才政策统一实施，本任务撤销"}}}),
			task("environment", 2, "跨界断面水质联合监测", "跨界断面联合监测", "panjin", []string{"jinzhou"}, 20, 180, green),
			task("reform", 2, "港口一体化运营改革", "港口一体化运营", "ln-transport", []string{"dalian", "yingkou"}, -150, 120,
				plot{script: returnedResubmitted, scriptUnit: "ln-transport"}),
			task("innovation", 2, "产业技术创新联盟联合攻关", "联合攻关", "jinzhou", []string{"huludao"}, -170, 150,
				plot{silent: "huludao", outcome: []outcome{{kind: "chase", on: on(-1), unit: "huludao", reason: "请尽快报送本月进展报告"}}}),
			task("planning", 2, "编制年度协同发展监测报告", "年度监测报告", "ln-drc", []string{"dalian"}, -120, 60,
				plot{script: draftOnly, scriptUnit: "dalian"}),
			task("industry", 4, "六城市联合招商", "联合招商", "ln-commerce", []string{"dalian", "yingkou", "dandong"}, -140, 170,
				plot{late: "dandong", review: 12}),
			task("environment", 3, "滨海湿地生态修复", "滨海湿地修复", "huludao", []string{"jinzhou", "dalian-eco"}, -100, 120, green),
		},
	}
	return []planSpec{action, wp}
}
