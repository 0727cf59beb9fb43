from jisheng.cli import main

main()
