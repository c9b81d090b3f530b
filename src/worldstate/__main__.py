import gc

# The CLI's modules load without collections (they make no garbage); main() pauses the
# collector again until the command runs and freezes everything loaded by then.
gc.disable()
from worldstate.cli import main  # noqa: E402

gc.enable()
main()
