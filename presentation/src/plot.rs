//! Line plots of committed measurements, in standalone SVG.
//!
//! A plot is read from a JSON data file under `reports-data/` (format:
//! [`PlotData`]) and drawn with axes, ticks, axis labels, a title and a
//! legend: each series a polyline through its points, measured series with
//! a marker at each point, predicted ones (a paper's analysis) dashed. The
//! SVG depends on the data alone (coordinates rounded to a tenth of a
//! pixel, tick labels from the tick step), so a report that embeds it
//! changes only when its committed data does.

use serde::{Deserialize, Serialize};
use std::fmt::Write;

/// One plot's data, as committed under `reports-data/`:
/// `{"model": "swim", "title": .., "x_label": .., "y_label": .., "series":
/// [{"name": .., "points": [[x, y], ...]}]}`. Unknown fields are ignored.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PlotData {
    /// The protocol (CLI id) whose report page shows the plot.
    pub model: String,
    pub title: String,
    pub x_label: String,
    pub y_label: String,
    pub series: Vec<Series>,
    /// The command that produced the data, shown under the plot.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub command: String,
    /// Markdown shown under the plot: how to read it.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub notes: String,
}

/// One line of a plot.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Series {
    pub name: String,
    /// `[x, y]` pairs, drawn in this order.
    pub points: Vec<[f64; 2]>,
    /// A prediction (drawn dashed, without markers) rather than a
    /// measurement.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub predicted: bool,
}

impl PlotData {
    /// Parses and checks a data file's contents.
    pub fn from_json(text: &str) -> Result<PlotData, String> {
        let data: PlotData = serde_json::from_str(text).map_err(|e| e.to_string())?;
        data.validate()?;
        Ok(data)
    }

    /// Every coordinate finite, every series named, some point to draw.
    pub fn validate(&self) -> Result<(), String> {
        if self.series.iter().all(|s| s.points.is_empty()) {
            return Err("no point to plot".to_string());
        }
        for s in &self.series {
            if s.name.trim().is_empty() {
                return Err("a series has no name".to_string());
            }
            if let Some(p) = s
                .points
                .iter()
                .find(|p| !p[0].is_finite() || !p[1].is_finite())
            {
                return Err(format!(
                    "series \"{}\" has a point that is not a finite number: {p:?}",
                    s.name
                ));
            }
        }
        Ok(())
    }
}

const W: f64 = 860.0;
const H: f64 = 440.0;
/// The plotting area.
const LEFT: f64 = 80.0;
const RIGHT: f64 = 560.0;
const TOP: f64 = 50.0;
const BOTTOM: f64 = 370.0;
/// Where the legend starts.
const LEGEND_X: f64 = 580.0;

const COLOURS: &[&str] = &[
    "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf",
];

const STYLE: &str = "text{font-family:sans-serif;font-size:12px;fill:#24292f}\
.title{font-size:15px;font-weight:bold}.axis{stroke:#24292f;stroke-width:1}\
.grid{stroke:#d0d7de;stroke-width:0.5}.label{font-size:13px}";

/// Ticks over `[lo, hi]`: a step of 1, 2 or 5 times a power of ten giving
/// at most about six intervals, and the range widened to whole steps.
/// Returns (first tick, step, count, decimals for the labels).
fn ticks(lo: f64, hi: f64) -> (f64, f64, usize, usize) {
    let (lo, hi) = if hi - lo < 1e-9 {
        (lo - 0.5, hi + 0.5)
    } else {
        (lo, hi)
    };
    let raw = (hi - lo) / 6.0;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * mag);
    let first = (lo / step).floor() * step;
    let last = (hi / step).ceil() * step;
    let count = ((last - first) / step).round() as usize + 1;
    let decimals = if step >= 1.0 {
        0
    } else {
        (-step.log10().floor()) as usize
    };
    (first, step, count, decimals)
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A number as a label, with `decimals` digits after the point and no
/// negative zero.
fn label(v: f64, decimals: usize) -> String {
    let s = format!("{v:.decimals$}");
    if s.starts_with('-') && s[1..].chars().all(|c| c == '0' || c == '.') {
        s[1..].to_string()
    } else {
        s
    }
}

/// A standalone SVG document plotting `data`.
pub fn line_plot(data: &PlotData) -> String {
    let points = || data.series.iter().flat_map(|s| s.points.iter());
    let (mut x_lo, mut x_hi) = (f64::INFINITY, f64::NEG_INFINITY);
    let (mut y_lo, mut y_hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for p in points() {
        x_lo = x_lo.min(p[0]);
        x_hi = x_hi.max(p[0]);
        y_lo = y_lo.min(p[1]);
        y_hi = y_hi.max(p[1]);
    }
    if !x_lo.is_finite() {
        (x_lo, x_hi, y_lo, y_hi) = (0.0, 1.0, 0.0, 1.0);
    }
    // Measurements of times and rates start from zero.
    if y_lo > 0.0 {
        y_lo = 0.0;
    }
    let (x0, xs, xn, xd) = ticks(x_lo, x_hi);
    let (y0, ys, yn, yd) = ticks(y_lo, y_hi);
    let x1 = x0 + xs * (xn - 1) as f64;
    let y1 = y0 + ys * (yn - 1) as f64;
    let px = |x: f64| LEFT + (x - x0) / (x1 - x0) * (RIGHT - LEFT);
    let py = |y: f64| BOTTOM - (y - y0) / (y1 - y0) * (BOTTOM - TOP);

    // Wide enough for the longest legend entry (12px sans-serif: at most
    // about 7px a character), never narrower than the usual width.
    let longest = data.series.iter().map(|s| s.name.chars().count()).max();
    let w = W.max(LEGEND_X + 36.0 + 7.0 * longest.unwrap_or(0) as f64 + 10.0);
    let mut out = String::new();
    let _ = write!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{H}\" \
         viewBox=\"0 0 {w} {H}\" role=\"img\">\n<title>{}</title>\n<style>{STYLE}</style>\n\
         <rect width=\"{w}\" height=\"{H}\" fill=\"#fff\"/>\n",
        esc(&data.title)
    );
    let _ = writeln!(
        out,
        "<text class=\"title\" x=\"{:.1}\" y=\"28\" text-anchor=\"middle\">{}</text>",
        (LEFT + RIGHT) / 2.0,
        esc(&data.title)
    );
    // Grid, ticks and tick labels.
    for i in 0..xn {
        let v = x0 + xs * i as f64;
        let x = px(v);
        let _ = writeln!(
            out,
            "<line class=\"grid\" x1=\"{x:.1}\" y1=\"{TOP:.1}\" x2=\"{x:.1}\" y2=\"{BOTTOM:.1}\"/>\
             <line class=\"axis\" x1=\"{x:.1}\" y1=\"{BOTTOM:.1}\" x2=\"{x:.1}\" y2=\"{:.1}\"/>\
             <text x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
            BOTTOM + 5.0,
            BOTTOM + 20.0,
            label(v, xd)
        );
    }
    for i in 0..yn {
        let v = y0 + ys * i as f64;
        let y = py(v);
        let _ = writeln!(
            out,
            "<line class=\"grid\" x1=\"{LEFT:.1}\" y1=\"{y:.1}\" x2=\"{RIGHT:.1}\" y2=\"{y:.1}\"/>\
             <line class=\"axis\" x1=\"{:.1}\" y1=\"{y:.1}\" x2=\"{LEFT:.1}\" y2=\"{y:.1}\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
            LEFT - 5.0,
            LEFT - 8.0,
            y + 4.0,
            label(v, yd)
        );
    }
    // Axes and their labels.
    let _ = writeln!(
        out,
        "<line class=\"axis\" x1=\"{LEFT:.1}\" y1=\"{BOTTOM:.1}\" x2=\"{RIGHT:.1}\" y2=\"{BOTTOM:.1}\"/>\
         <line class=\"axis\" x1=\"{LEFT:.1}\" y1=\"{TOP:.1}\" x2=\"{LEFT:.1}\" y2=\"{BOTTOM:.1}\"/>"
    );
    let _ = writeln!(
        out,
        "<text class=\"label\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
        (LEFT + RIGHT) / 2.0,
        BOTTOM + 45.0,
        esc(&data.x_label)
    );
    // The y label runs along the axis: a long one gets a smaller font, so
    // that it fits the height of the plot (13px: about 7px a character).
    let (lx, ly) = (22.0, (TOP + BOTTOM) / 2.0);
    let chars = data.y_label.chars().count().max(1) as f64;
    let size = (13.0f64)
        .min((BOTTOM - TOP + 40.0) / (chars * 0.55))
        .max(8.0);
    let _ = writeln!(
        out,
        "<text class=\"label\" x=\"{lx:.1}\" y=\"{ly:.1}\" text-anchor=\"middle\" \
         style=\"font-size:{size:.1}px\" transform=\"rotate(-90 {lx:.1} {ly:.1})\">{}</text>",
        esc(&data.y_label)
    );
    // The series, then the legend.
    for (i, s) in data.series.iter().enumerate() {
        let colour = COLOURS[i % COLOURS.len()];
        let coords: Vec<String> = s
            .points
            .iter()
            .map(|p| format!("{:.1},{:.1}", px(p[0]), py(p[1])))
            .collect();
        let dash = if s.predicted {
            " stroke-dasharray=\"6 4\""
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "<g><title>{}</title><polyline points=\"{}\" fill=\"none\" stroke=\"{colour}\" \
             stroke-width=\"2\"{dash}/>",
            esc(&s.name),
            coords.join(" ")
        );
        if !s.predicted {
            for p in &s.points {
                let _ = writeln!(
                    out,
                    "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"3.5\" fill=\"{colour}\"/>",
                    px(p[0]),
                    py(p[1])
                );
            }
        }
        out.push_str("</g>\n");
        let y = TOP + 10.0 + 22.0 * i as f64;
        let _ = writeln!(
            out,
            "<line x1=\"{legend_x:.1}\" y1=\"{y:.1}\" x2=\"{:.1}\" y2=\"{y:.1}\" stroke=\"{colour}\" \
             stroke-width=\"2\"{dash}/>{}<text x=\"{:.1}\" y=\"{:.1}\">{}</text>",
            LEGEND_X + 28.0,
            if s.predicted {
                String::new()
            } else {
                format!(
                    "<circle cx=\"{:.1}\" cy=\"{y:.1}\" r=\"3.5\" fill=\"{colour}\"/>",
                    LEGEND_X + 14.0
                )
            },
            LEGEND_X + 36.0,
            y + 4.0,
            esc(&s.name),
            legend_x = LEGEND_X,
        );
    }
    out.push_str("</svg>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::svg::tests::assert_well_formed;

    fn data() -> PlotData {
        PlotData::from_json(
            r#"{"model": "swim", "title": "Detection <time>", "x_label": "members",
                "y_label": "periods", "extra": 1,
                "series": [
                  {"name": "measured", "points": [[3, 1.9], [4, 1.7], [5, 1.65]]},
                  {"name": "paper", "points": [[3, 1.33], [4, 1.42], [5, 1.46]], "predicted": true}
                ]}"#,
        )
        .unwrap()
    }

    #[test]
    fn the_plot_is_well_formed_and_deterministic() {
        let svg = line_plot(&data());
        assert_well_formed(&svg);
        assert_eq!(svg, line_plot(&data()));
        // Title escaped, axis labels, a legend entry per series, a dashed
        // prediction, a marker per measured point only.
        assert!(svg.contains("Detection &lt;time&gt;"));
        assert!(svg.contains(">members</text>") && svg.contains(">periods</text>"));
        assert!(svg.contains(">measured</text>") && svg.contains(">paper</text>"));
        assert_eq!(svg.matches("stroke-dasharray").count(), 2);
        assert_eq!(svg.matches("<circle").count(), 3 + 1);
        // Ticks from 3 to 5 on x (by halves), from 0 on y.
        assert!(svg.contains(">3.0</text>") && svg.contains(">5.0</text>"));
        assert!(svg.contains(">0.0</text>"));
    }

    #[test]
    fn long_legends_widen_the_plot_and_long_axis_labels_shrink() {
        let short = line_plot(&data());
        assert!(short.contains("width=\"860\""), "{short}");
        assert!(short.contains("style=\"font-size:13.0px\""));
        let mut long = data();
        long.series[0].name = "measured: every live member declares it failed".into();
        long.y_label = "rounds (exchanges per member) until every member holds one write".into();
        let svg = line_plot(&long);
        // 580 + 36 + 7 * 46 + 10 = 948: the legend's text ends inside.
        assert!(svg.contains("width=\"948\""), "{svg}");
        assert!(svg.contains("style=\"font-size:10.2px\""), "{svg}");
        assert_well_formed(&svg);
    }

    #[test]
    fn bad_data_is_refused() {
        assert!(PlotData::from_json("{}").is_err());
        let no_points = r#"{"model":"m","title":"t","x_label":"x","y_label":"y","series":[]}"#;
        assert!(PlotData::from_json(no_points).is_err());
        let mut d = data();
        d.series[0].points[0][1] = f64::NAN;
        assert!(d.validate().is_err());
    }

    #[test]
    fn ticks_cover_the_range_in_round_steps() {
        assert_eq!(ticks(0.0, 1.9), (0.0, 0.5, 5, 1));
        assert_eq!(ticks(3.0, 8.0), (3.0, 1.0, 6, 0));
        let (first, step, n, _) = ticks(0.0, 0.93);
        assert!(first <= 0.0 && first + step * (n - 1) as f64 >= 0.93);
        assert_eq!(label(-0.0, 1), "0.0");
    }
}
