package gen

import (
	"fmt"
	"math/rand/v2"
)

// Sample wording per coordination area, so that titles and reports read
// like the belt's and text search has Chinese to find.
var (
	topics = map[string][]string{
		"planning":    {"国土空间规划衔接", "港口集疏运体系规划", "城际交通规划", "统一监测指标体系", "年度监测评估", "重点区域发展规划", "基础设施互联互通规划", "沿海岸线利用规划"},
		"industry":    {"临港产业集群", "石化产业链协同", "装备制造配套", "海洋经济示范区", "联合招商引资", "镁质材料精深加工", "船舶与海工装备", "农产品精深加工"},
		"innovation":  {"科技创新共享平台", "产业技术创新联盟", "科研仪器共享", "联合技术攻关", "人才双向交流", "科技成果转化", "孵化载体共建", "创新券通用通兑"},
		"reform":      {"自贸试验区制度创新", "港口一体化运营", "园区整合共建", "营商环境改革", "国资国企改革协同", "要素市场化配置", "审批制度改革", "投融资体制改革"},
		"policy":      {"政务服务跨市通办", "涉企政策互认", "社会信用一体化", "人才资质互认", "医保异地结算", "公共资源交易共享", "税费服务协同", "市场监管执法协作"},
		"environment": {"入海河流综合整治", "近岸海域污染联防联控", "跨界断面水质监测", "滨海湿地生态修复", "岸线整治修复", "大气污染联防联控", "固体废物跨区域处置", "海洋环境监测"},
	}
	verbs = []string{"推进", "加快", "深化", "完善", "建设", "实施", "开展", "推动"}
	steps = []string{"完成前期调研", "方案通过审议", "项目开工建设", "主体工作完成过半", "阶段成果通过评估", "进入收尾阶段", "基本完成年度任务"}
)

func title(rng *rand.Rand, area string, n int) (string, string) {
	ts := topics[area]
	topic := ts[rng.IntN(len(ts))]
	return fmt.Sprintf("%s%s（第%d项）", verbs[rng.IntN(len(verbs))], topic, n), topic
}

// narrative is a report's account of progress at pct percent.
func narrative(month, topic string, pct float64) string {
	i := min(int(pct/100*float64(len(steps))), len(steps)-1)
	return fmt.Sprintf("%s：%s%s，累计完成%.0f%%。", month, topic, steps[i], pct)
}
