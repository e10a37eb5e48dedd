//! CPU time and memory of processes, from Linux's `/proc` (`None` elsewhere).

use std::fs;

/// Linux reports CPU time in `USER_HZ` ticks, 100 per second on every mainstream architecture.
pub(crate) const TICKS_PER_SECOND: u64 = 100;

/// CPU time (user and system, all threads) the process has used, in ticks.
pub(crate) fn cpu_ticks(pid: u32) -> Option<u64> {
    stat_fields(&fs::read_to_string(format!("/proc/{pid}/stat")).ok()?, 11)
}

/// CPU time of this process's children that have exited and been waited for (`cutime + cstime`):
/// read before and after running a child to the end, the difference is that child's CPU time.
pub(crate) fn waited_children_ticks() -> Option<u64> {
    stat_fields(&fs::read_to_string("/proc/self/stat").ok()?, 13)
}

/// The sum of the two `/proc/<pid>/stat` fields that follow `skip` fields after `(comm)`, which
/// may itself hold spaces and parentheses: `utime + stime` at 11, `cutime + cstime` at 13.
fn stat_fields(stat: &str, skip: usize) -> Option<u64> {
    let (_, after_comm) = stat.rsplit_once(')')?;
    let mut fields = after_comm.split_whitespace().skip(skip);
    let first: u64 = fields.next()?.parse().ok()?;
    let second: u64 = fields.next()?.parse().ok()?;
    first.checked_add(second)
}

/// Peak and current resident set size in KiB, from `/proc/<pid>/status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Memory {
    pub(crate) peak_kib: u64,
    pub(crate) current_kib: u64,
}

pub(crate) fn memory(pid: u32) -> Option<Memory> {
    parse_status(&fs::read_to_string(format!("/proc/{pid}/status")).ok()?)
}

fn parse_status(status: &str) -> Option<Memory> {
    let field = |name: &str| {
        status.lines().find_map(|line| {
            let value = line.strip_prefix(name)?.strip_prefix(':')?;
            value.trim().strip_suffix("kB")?.trim().parse::<u64>().ok()
        })
    };
    Some(Memory { peak_kib: field("VmHWM")?, current_kib: field("VmRSS")? })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_gives_peak_and_current_rss() {
        let status = "Name:\tsubtask-templates\nVmPeak:\t  900000 kB\nVmHWM:\t   40960 kB\n\
                      VmRSS:\t   30720 kB\nThreads:\t5\n";
        let memory = parse_status(status).unwrap();
        assert_eq!((memory.peak_kib, memory.current_kib), (40960, 30720));
        assert!(parse_status("Name:\tx\n").is_none());
    }

    #[test]
    fn stat_gives_own_and_waited_children_ticks() {
        let stat = "29859 (subtask (tem) S 1 2 3 0 -1 4194560 5 0 0 0 1234 56 700 8 20 0 3 0 9 1 2";
        assert_eq!(stat_fields(stat, 11), Some(1290));
        assert_eq!(stat_fields(stat, 13), Some(708));
        assert_eq!(stat_fields("29859 (x) S 1 2", 11), None);
        assert!(waited_children_ticks().is_some(), "this process has a /proc/self/stat");
    }
}
