"""Companies' confidential technology needs: registering, publishing a summary, sharing, interests."""
