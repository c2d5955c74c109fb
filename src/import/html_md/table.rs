//! Table handling for the HTML-to-Markdown converter. It owns collecting the outermost table's
//! rows, cells and caption (stray text joins the caption) and printing them as a GFM pipe table
//! with a padded header row. It must not nest tables (inner ones are flattened into the current
//! cell by the caller) or emit anything but pipe-table lines and a caption paragraph.

use super::{Converter, Kind, block_lines};

impl Converter {
    pub(super) fn table_part(&mut self, name: &str, open: bool) {
        if self.table.as_ref().is_none_or(|t| t.nested > 0) {
            self.space = true;
            return;
        }
        self.close(Kind::Cell);
        self.close(Kind::Caption);
        if name == "tr" {
            if let Some(t) = &mut self.table
                && !t.row.is_empty()
            {
                t.rows.push(std::mem::take(&mut t.row));
            }
        } else if open {
            let stray = self.take_buf();
            self.add_caption(stray);
            self.push(
                if name == "caption" {
                    Kind::Caption
                } else {
                    Kind::Cell
                },
                false,
            );
        }
    }

    pub(super) fn add_caption(&mut self, text: String) {
        if let Some(t) = &mut self.table
            && !text.trim().is_empty()
        {
            t.caption.push(text);
        }
    }

    pub(super) fn finish_table(&mut self) {
        let stray = self.take_buf();
        self.add_caption(stray);
        let Some(mut t) = self.table.take() else {
            return;
        };
        if !t.row.is_empty() {
            t.rows.push(std::mem::take(&mut t.row));
        }
        let caption = block_lines(&t.caption.join(" "), None);
        if !caption.is_empty() {
            self.emit(&caption);
        }
        // Only the header row is padded: GFM fills short body rows itself.
        let cols = t.rows.iter().map(Vec::len).max().unwrap_or(0);
        let mut lines = Vec::with_capacity(t.rows.len() + 1);
        for (k, row) in t.rows.iter().enumerate() {
            let mut line = String::from("|");
            for i in 0..if k == 0 { cols } else { row.len() } {
                line.push(' ');
                line.push_str(row.get(i).map_or("", String::as_str));
                line.push_str(" |");
            }
            lines.push(line);
            if k == 0 {
                lines.push("|---".repeat(cols) + "|");
            }
        }
        if !lines.is_empty() {
            self.emit(&lines);
        }
    }
}
