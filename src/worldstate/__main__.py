from worldstate.cli import main

main()
