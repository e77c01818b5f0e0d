//! A line diff for the catalog records `render` writes: small files, so a plain longest common
//! subsequence is enough.

/// `old` to `new` as unified-style lines (`-`, `+`, or ` ` for kept), headed by the two names.
pub(crate) fn diff(old_name: &str, new_name: &str, old: &str, new: &str) -> String {
    let a: Vec<&str> = old.lines().collect();
    let b: Vec<&str> = new.lines().collect();
    // lcs[i][j]: the common subsequence length of a[i..] and b[j..].
    let mut lcs = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let mut out = format!("--- {old_name}\n+++ {new_name}\n");
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            out.push_str(&format!(" {}\n", a[i]));
            i += 1;
            j += 1;
        } else if j < b.len() && (i == a.len() || lcs[i][j + 1] > lcs[i + 1][j]) {
            out.push_str(&format!("+{}\n", b[j]));
            j += 1;
        } else {
            out.push_str(&format!("-{}\n", a[i]));
            i += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn marks_removed_added_and_kept_lines() {
        let d = super::diff("a", "b", "x\ny\nz\n", "x\nY\nz\nw\n");
        assert_eq!(d, "--- a\n+++ b\n x\n-y\n+Y\n z\n+w\n");
        assert_eq!(super::diff("a", "b", "", "n\n"), "--- a\n+++ b\n+n\n");
    }
}
