// Runs a shell command line and captures its standard output (add "2>&1" to the command for
// stderr too): the git commit of run records, Slurm's sbatch and squeue.
#pragma once

#include <string>

namespace ptq {

struct CommandOutput {
  int status = -1;     // exit status; -1 when the command could not be started
  std::string output;  // trimmed
};

CommandOutput run_command(const std::string& command);

}  // namespace ptq
