//! Process hardening for the programs that hold plaintext in memory
//! (form-fn while it seals, the office CLI while it opens): no core dumps,
//! so a crash never writes what they held to disk.

/// Forbids core dumps for this process: no core file (limit 0), and not
/// dumpable (which also keeps other processes of the same user from reading
/// its memory through ptrace). Best effort: where the system refuses, the
/// process runs on and the reason is returned.
pub fn forbid_core_dumps() -> Result<(), String> {
    let no_core = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: setrlimit reads the struct we pass and changes only this process.
    if unsafe { libc::setrlimit(libc::RLIMIT_CORE, &no_core) } != 0 {
        return Err(format!("setrlimit: {}", std::io::Error::last_os_error()));
    }
    // SAFETY: prctl(PR_SET_DUMPABLE, 0) takes plain integers and affects only this process.
    if unsafe { libc::prctl(libc::PR_SET_DUMPABLE, 0, 0, 0, 0) } != 0 {
        return Err(format!("prctl: {}", std::io::Error::last_os_error()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn after_it_no_core_file_can_be_written() {
        forbid_core_dumps().unwrap();
        let limits = std::fs::read_to_string("/proc/self/limits").unwrap();
        let core = limits
            .lines()
            .find(|l| l.starts_with("Max core file size"))
            .unwrap();
        let fields: Vec<&str> = core.split_whitespace().collect();
        assert_eq!(&fields[4..6], ["0", "0"], "{core}");
        // SAFETY: reads this process's dumpable flag.
        assert_eq!(unsafe { libc::prctl(libc::PR_GET_DUMPABLE, 0, 0, 0, 0) }, 0);
    }
}
