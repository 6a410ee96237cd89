package demo

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBeltStationNames keeps the stations file honest: a station's name is
// one ../shared/data/liaoning-belt.md gives, or a section of the real
// records in Liaoning, or it is marked invented (（示例）).
func TestBeltStationNames(t *testing.T) {
	shared := SharedDir()
	if shared == "" {
		t.Skip("../shared is absent")
	}
	facts, err := os.ReadFile(filepath.Join(shared, "data", "liaoning-belt.md"))
	if err != nil {
		t.Fatal(err)
	}
	// Names the facts give in other words.
	phrased := map[string]string{"长兴岛北": "north of 长兴岛", "丹东港": "Dandong 大洋河口 and the port"}
	sections := filepath.Join(shared, realRecords, "water_quality_by_name", beltProvince, "辽河流域")
	lines := strings.Split(strings.TrimSpace(string(beltStations())), "\n")
	for _, line := range lines[1:] {
		name := strings.Split(line, ",")[1]
		_, missing := os.Stat(filepath.Join(sections, name))
		switch {
		case strings.HasSuffix(name, "（示例）"), missing == nil:
		case phrased[name] != "":
			if !strings.Contains(string(facts), phrased[name]) {
				t.Errorf("%s: the facts do not say %q", name, phrased[name])
			}
		case !strings.Contains(string(facts), name):
			t.Errorf("%s is neither in the facts nor in the real records, and not marked as sample", name)
		}
	}
}
