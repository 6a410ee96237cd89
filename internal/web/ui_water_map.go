package web

import (
	"fmt"
	"math"
	"strings"

	"concord/internal/water"
	"concord/internal/waterstore"
)

// The belt's map is a SCHEMATIC drawn on the server as SVG: the stations
// at their latitude and longitude, projected into the box (equirectangular,
// x scaled by the cosine of the middle latitude), over a rough outline of
// the Liaoning coast traced by hand from a few well-known places. No tiles,
// no geometry file: it shows where stations are relative to each other and
// to the sea, not a surveyed map, and says so under it.

// liaoningCoast is the schematic coastline, west to east: Shanhaiguan,
// the Bohai shore past Huludao, Jinzhou, Panjin and Yingkou, down the
// Liaodong peninsula to Lüshun, and up the Yellow Sea shore to Dandong
// (longitude, latitude; rounded by hand).
var liaoningCoast = [][2]float64{
	{119.8, 40.0}, {120.4, 40.3}, {120.75, 40.6}, {120.95, 40.7}, {121.1, 40.8}, {121.5, 40.85}, {121.9, 40.85},
	{122.05, 40.75}, {122.23, 40.67}, {122.15, 40.4}, {122.1, 40.25}, {121.8, 39.95}, {121.5, 39.6}, {121.45, 39.3},
	{121.25, 39.1}, {121.2, 38.85}, {121.25, 38.75}, {121.6, 38.85}, {121.65, 38.92}, {122.1, 39.2}, {122.5, 39.45},
	{122.97, 39.68}, {123.5, 39.75}, {124.0, 39.85}, {124.38, 40.1},
}

// waterMap is the schematic map: the coastline as a path, stations as dots
// coloured by class with the class written in their title, and the same
// stations as a table (the figure's text alternative).
type waterMap struct {
	Width, Height int
	Coast         string
	Dots          []mapDot
	Legend        []mapLegend
}

type mapDot struct {
	X, Y       float64
	Class      string // CSS class: wq-1 … wq-6, wq-0 without a class
	Code, Name string
	ClassName  string
	Link       string
}

type mapLegend struct{ Class, Text string }

// newWaterMap places the stations with coordinates, classed by the period's
// assessment.
func newWaterMap(p pageData, stations []waterstore.Station, assessed []waterstore.StationAssessment) waterMap {
	m := waterMap{Width: 720, Height: 480}
	classOf := map[int64]water.Class{}
	for _, a := range assessed {
		classOf[a.Station.ID] = a.Class
	}
	minLon, maxLon, minLat, maxLat := 119.6, 124.6, 38.6, 41.2
	for _, st := range stations {
		if st.Latitude == nil {
			continue
		}
		minLon, maxLon = math.Min(minLon, *st.Longitude-0.2), math.Max(maxLon, *st.Longitude+0.2)
		minLat, maxLat = math.Min(minLat, *st.Latitude-0.2), math.Max(maxLat, *st.Latitude+0.2)
	}
	kx := math.Cos((minLat + maxLat) / 2 * math.Pi / 180)
	scale := math.Min(float64(m.Width)/((maxLon-minLon)*kx), float64(m.Height)/(maxLat-minLat))
	at := func(lon, lat float64) (float64, float64) {
		return math.Round((lon-minLon)*kx*scale*10) / 10, math.Round((maxLat-lat)*scale*10) / 10
	}
	var b strings.Builder
	for i, pt := range liaoningCoast {
		x, y := at(pt[0], pt[1])
		if i == 0 {
			fmt.Fprintf(&b, "M%g %g", x, y)
		} else {
			fmt.Fprintf(&b, " L%g %g", x, y)
		}
	}
	m.Coast = b.String()
	for _, st := range stations {
		if st.Latitude == nil {
			continue
		}
		x, y := at(*st.Longitude, *st.Latitude)
		c := classOf[st.ID]
		std := water.GB3838
		if st.Body == water.Sea {
			std = water.GB3097
		}
		name := p.T("waterui.class.none")
		if c != water.NoClass {
			name = std.ClassName(c)
		}
		m.Dots = append(m.Dots, mapDot{X: x, Y: y, Class: fmt.Sprintf("wq-%d", c), Code: st.Code, Name: st.NameZh, ClassName: name,
			Link: "/water/stations/" + itoa(st.ID)})
	}
	for c := water.ClassI; c <= water.WorseThanV; c++ {
		m.Legend = append(m.Legend, mapLegend{fmt.Sprintf("wq-%d", c), water.GB3838.ClassName(c)})
	}
	m.Legend = append(m.Legend, mapLegend{"wq-0", p.T("waterui.class.none")})
	return m
}
