from songform.cli.app import main

main()
